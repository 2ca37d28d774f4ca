import Testing
@testable import KerasTensor

@Suite("Creation")
struct CreationTests {
    @Test func zerosOnesFull() {
        #expect(Tensor.zeros([2, 3]) == Tensor(shape: [2, 3], scalars: [0, 0, 0, 0, 0, 0]))
        #expect(Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor.full([2, 2], 1.5).scalars == [1.5, 1.5, 1.5, 1.5])
        #expect(Tensor.zeros([]).shape == [] && Tensor.zeros([]).scalar == 0)
        let like: Tensor = [[1, 2, 3]]
        #expect(Tensor.zeros(like: like).shape == [1, 3] && Tensor.zeros(like: like).scalars == [0, 0, 0])
        #expect(Tensor.ones(like: like).scalars == [1, 1, 1])
        #expect(Tensor.zeros([0, 4]).count == 0)
    }

    @Test func eye() {
        #expect(Tensor.eye(3) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        #expect(Tensor.eye(2, 3) == [[1, 0, 0], [0, 1, 0]])
        #expect(Tensor.eye(3, 2) == [[1, 0], [0, 1], [0, 0]])
    }

    @Test func arange() {
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(2, 8, step: 2).scalars == [2, 4, 6])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.arange(5, 0, step: -2).scalars == [5, 3, 1])
        #expect(Tensor.arange(3, 3).shape == [0])
        #expect(Tensor.arange(3, 1).shape == [0])
        #expect(Tensor.arange(0, 1, step: 0.1).count == 10)
        #expect(Tensor.arange(3).scalars == [0, 1, 2])
        #expect(Tensor.arange(5, step: 2).scalars == [0, 2, 4])
    }

    @Test func linspace() {
        #expect(Tensor.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.linspace(2, -2, count: 3).scalars == [2, 0, -2])
        #expect(Tensor.linspace(4, 9, count: 1).scalars == [4])
        #expect(Tensor.linspace(0, 1, count: 0).shape == [0])
        let many = Tensor.linspace(-1, 3, count: 7).scalars
        #expect(many.first == -1 && many.last == 3)
        #expect(zip(many, many.dropFirst()).allSatisfy { isClose($1 - $0, 4.0 / 6) })
    }
}

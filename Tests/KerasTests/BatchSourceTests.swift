import Foundation
import Testing
@testable import Keras

/// Batches cut from tensors, served on demand like a `PyDataset` reading from disk.
final class SlicedSource: BatchSource, @unchecked Sendable {
    let x: Tensor, y: Tensor, batchSize: Int
    private let lock = NSLock()
    private var served: [Int] = []
    private(set) var epochsEnded = 0

    init(x: Tensor, y: Tensor, batchSize: Int) {
        self.x = x
        self.y = y
        self.batchSize = batchSize
    }

    var batchCount: Int { (x.shape[0] + batchSize - 1) / batchSize }

    func batch(at index: Int) throws -> Batch {
        lock.lock()
        served.append(index)
        lock.unlock()
        let range = (index * batchSize)..<min(x.shape[0], (index + 1) * batchSize)
        return Batch(x: x[range], y: y[range])
    }

    func onEpochEnd() { epochsEnded += 1 }
    var servedIndices: [Int] { lock.lock(); defer { lock.unlock() }; return served }
}

@Suite("Batch sources") struct BatchSourceTests {
    static let x = Tensor.randomUniform([50, 4], seed: 11)
    static let y = (x.sum(axis: 1, keepDims: true) .> 2)

    func model() -> Sequential {
        Keras.withRandomSeed(4) { Sequential([Dense(units: 6, activation: .relu, inputShape: [4]), Dense(units: 1, activation: .sigmoid)]) }
    }

    @Test func fitOnASourceMatchesFitOnTensors() throws {
        let inMemory = model(), streamed = model()
        #expect(inMemory.getWeights() == streamed.getWeights())
        for m in [inMemory, streamed] { try m.compile(optimizer: SGD(learningRate: 0.1), loss: "binary_crossentropy", metrics: ["accuracy"]) }
        let tensorHistory = try inMemory.fit(Self.x, Self.y, epochs: 3, batchSize: 8, verbose: 0, shuffle: false)
        let source = SlicedSource(x: Self.x, y: Self.y, batchSize: 8)
        let sourceHistory = try streamed.fit(source, epochs: 3, verbose: 0, shuffle: false)
        #expect(inMemory.getWeights() == streamed.getWeights())
        #expect(tensorHistory.history == sourceHistory.history)
        #expect(source.epochsEnded == 3)
        #expect(source.servedIndices == Array(repeating: Array(0..<7), count: 3).flatMap { $0 })
    }

    @Test func shuffleReordersBatchesAndStillVisitsEachOnce() throws {
        let m = model()
        try m.compile(optimizer: "adam", loss: "binary_crossentropy")
        let source = SlicedSource(x: Self.x, y: Self.y, batchSize: 5)
        try Keras.withRandomSeed(1) { _ = try m.fit(source, epochs: 2, verbose: 0) }
        let served = source.servedIndices
        #expect(served.count == 20)
        #expect(Array(served[0..<10]).sorted() == Array(0..<10) && Array(served[10..<20]).sorted() == Array(0..<10))
        #expect(served != Array(0..<10) + Array(0..<10))
    }

    @Test func evaluateAndPredictAcceptSources() throws {
        let m = model()
        try m.compile(optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy"])
        let source = SlicedSource(x: Self.x, y: Self.y, batchSize: 16)
        let fromSource = try m.evaluate(source, verbose: 0), fromTensors = try m.evaluate(Self.x, Self.y, batchSize: 16, verbose: 0)
        #expect(Swift.abs(fromSource.loss - fromTensors.loss) < 1e-6 && fromSource.accuracy == fromTensors.accuracy)
        #expect(try m.predict(source) == m.predict(Self.x, batchSize: 16))
    }

    @Test func badBatchesThrow() throws {
        final class Broken: BatchSource {
            var batchCount: Int { 2 }
            func batch(at index: Int) throws -> Batch {
                index == 0 ? Batch(x: Tensor.zeros([3, 4]), y: Tensor.zeros([3, 1])) : Batch(x: Tensor.zeros([3, 5]), y: Tensor.zeros([3, 1]))
            }
        }
        let m = model()
        try m.compile(optimizer: "sgd", loss: "mse")
        #expect(throws: KerasError.self) { try m.fit(Broken(), verbose: 0, shuffle: false) }
        final class Empty: BatchSource {
            var batchCount: Int { 0 }
            func batch(at index: Int) throws -> Batch { Batch(x: Tensor.zeros([1, 4])) }
        }
        #expect(throws: KerasError.self) { try m.fit(Empty(), verbose: 0) }
    }
}

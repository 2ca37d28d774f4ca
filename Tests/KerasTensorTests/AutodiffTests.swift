import Testing
@testable import KerasTensor

@Suite("Automatic differentiation")
struct AutodiffTests {
    @Test func simpleGradient() {
        let tape = GradientTape()
        let x = tape.watch([1, 2, 3])
        let y = tape.record { (x * x + 2 * x).sum() }
        #expect(y == Tensor(26))
        #expect(tape.gradient(of: y, wrt: x) == [4, 6, 8])
    }

    @Test func valueUsedTwiceAccumulates() {
        let tape = GradientTape()
        let x = tape.watch([3, -1])
        let (square, sum) = tape.record { ((x * x).sum(), (x + x + x).sum()) }
        #expect(tape.gradient(of: square, wrt: x) == [6, -2])
        #expect(tape.gradient(of: sum, wrt: x) == [3, 3])
        // Through a shared intermediate: y = a·a with a = 2x.
        let z = tape.record { () -> Tensor in
            let a = 2 * x
            return (a * a).sum()
        }
        #expect(tape.gradient(of: z, wrt: x) == [24, -8])
    }

    @Test func nonScalarTargetsAreSummed() {
        let tape = GradientTape()
        let x = tape.watch([[1, 2], [3, 4]])
        let y = tape.record { x * 3 }
        #expect(tape.gradient(of: y, wrt: x) == Tensor.full([2, 2], 3))
        let seeded = tape.gradient(of: y, wrt: [x], seed: [[1, 0], [0, 2]])
        #expect(seeded[0] == [[3, 0], [0, 6]])
    }

    @Test func variablesAreWatchedInsideRecord() {
        let w = Variable([[1, 2], [3, 4]], name: "w")
        let b = Variable([1, -1], name: "b")
        let x: Tensor = [[1, 1]]
        #expect(!w.value.isTracked)
        let tape = GradientTape()
        let loss = tape.record { (x.matmul(w.value) + b.value).square().sum() }
        // x·w + b = [5, 5]: the loss is 50 and its gradient 2·[5, 5].
        #expect(loss == Tensor(50))
        let (dw, db) = (tape.gradient(of: loss, wrt: w), tape.gradient(of: loss, wrt: b))
        #expect(dw == [[10, 10], [10, 10]])
        #expect(db == [10, 10])
        #expect(tape.gradient(of: loss, wrt: [b, w]) == [db, dw])
        #expect(!w.value.isTracked)
    }

    @Test func variableReadTwiceIsOneSource() {
        let v = Variable([2, 3])
        let tape = GradientTape()
        let y = tape.record { (v.value * v.value).sum() + v.value.sum() }
        #expect(tape.gradient(of: y, wrt: v) == [5, 7])
    }

    @Test func variableAssignments() {
        let v = Variable([1, 2], name: "v")
        #expect(v.shape == [2] && v.name == "v" && v.trainable)
        v.assignAdd([1, 1])
        #expect(v.value == [2, 3])
        v.assignSubtract([0.5, 0.5])
        #expect(v.value == [1.5, 2.5])
        v.assign([0, 0])
        #expect(v.value == [0, 0])
        v.value = [4, 5]
        #expect(v.value == [4, 5])
        #expect(v.description == "Variable 'v' shape=[2]\n[4. 5.]")
        // A variable holds a copy: changing the tensor it was made from does not change it.
        var source: Tensor = [1, 1]
        let w = Variable(source)
        source += 1
        #expect(w.value == [1, 1])
    }

    @Test func updatingAVariableKeepsRecordedValues() {
        let v = Variable([1, 2])
        let tape = GradientTape()
        let (read, loss) = tape.record { (v.value, (v.value * v.value).sum()) }
        v.assignAdd([10, 10])
        #expect(read == [1, 2])
        #expect(tape.gradient(of: loss, wrt: v) == [2, 4])
        // Read again after the update, the variable is a new leaf with the new value.
        let after = tape.record { (v.value * v.value).sum() }
        #expect(after == Tensor(11 * 11 + 12 * 12))
        #expect(tape.gradient(of: after, wrt: v) == [22, 24])
    }

    @Test func unusedVariableHasZeroGradient() {
        let used = Variable([1, 2]), unused = Variable([[1, 2, 3]]), unread = Variable(Tensor.ones([2, 2]))
        let tape = GradientTape()
        let y = tape.record { () -> Tensor in
            _ = unused.value
            return used.value.sum()
        }
        #expect(tape.gradient(of: y, wrt: unused) == Tensor.zeros([1, 3]))
        #expect(tape.gradient(of: y, wrt: unread) == Tensor.zeros([2, 2]))
        #expect(tape.gradient(of: y, wrt: used) == [1, 1])
        // A target that was not recorded at all.
        #expect(tape.gradient(of: Tensor(1), wrt: used) == [0, 0])
    }

    @Test func nonTrainableVariablesAreNotWatched() {
        let frozen = Variable([1, 2], trainable: false)
        let tape = GradientTape()
        let y = tape.record { (frozen.value * 2).sum() }
        #expect(!y.isTracked)
        #expect(tape.gradient(of: y, wrt: frozen) == [0, 0])
    }

    @Test func gradientCanBeAskedTwice() {
        let tape = GradientTape()
        let x = tape.watch([1, 2])
        let y = tape.record { x.exp().sum() }
        let first = tape.gradient(of: y, wrt: x), second = tape.gradient(of: y, wrt: x)
        #expect(first == second)
        expectClose(first, x.exp().detached)
    }

    @Test func gradientWithRespectToIntermediates() {
        let tape = GradientTape()
        let x = tape.watch([1, 2])
        var h = Tensor(0)
        let y = tape.record { () -> Tensor in
            h = x * 3
            return (h * h).sum()
        }
        let grads = tape.gradient(of: y, wrt: [h, x])
        #expect(grads[0] == [6, 12])
        #expect(grads[1] == [18, 36])
        #expect(tape.gradient(of: y, wrt: y) == Tensor(1))
    }

    @Test func detachedStopsGradients() {
        let tape = GradientTape()
        let x = tape.watch([1, 2])
        let y = tape.record { (x * x.detached).sum() + x.detached.sum() }
        #expect(!x.detached.isTracked)
        #expect(tape.gradient(of: y, wrt: x) == [1, 2])
        let z = tape.record { (x.detached * 5).sum() }
        #expect(!z.isTracked)
        #expect(tape.gradient(of: z, wrt: x) == [0, 0])
    }

    @Test func nothingIsTrackedWithoutARecordingTape() {
        let tape = GradientTape()
        let x = tape.watch([1, 2, 3])
        #expect(x.isTracked)
        let outside = (x * 2 + 1).exp().sum(axis: 0).reshaped(to: [1, 1]).matmul(Tensor.ones([1, 1]))
        #expect(!outside.isTracked)
        #expect(!x[0..<2].isTracked && !x.gathering([0]).isTracked && !Tensor.stack([x, x]).isTracked)
        let plain: Tensor = [1, 2]
        let inside = tape.record { plain * 2 + plain.exp() }
        #expect(!inside.isTracked)
        let v = Variable([1, 2])
        #expect(!(v.value * 2).isTracked)
        let tracked = tape.record { x * 2 }
        #expect(tracked.isTracked)
    }

    @Test func nestedRecordRestoresTheOuterTape() {
        let outer = GradientTape(), inner = GradientTape()
        let x = outer.watch([1, 2])
        let y = outer.record { () -> Tensor in
            let a = inner.record { x * 2 }
            return (a * x).sum()   // recorded by the outer tape again
        }
        #expect(y.isTracked)
        #expect(GradientTape.current == nil)
        #expect(outer.gradient(of: y, wrt: x) == [4, 8])
    }

    @Test func sameTapeNestedInItself() {
        let v = Variable([2])
        let tape = GradientTape()
        let y = tape.record { tape.record { v.value * v.value } + v.value }
        #expect(GradientTape.current == nil)
        #expect(tape.gradient(of: y, wrt: v) == [5])
    }

    @Test func tapesNestedInEachOtherDoNotLoop() {
        let v = Variable([3])
        let a = GradientTape(), b = GradientTape()
        let y = a.record { b.record { a.record { v.value.square() } } }
        #expect(a.gradient(of: y, wrt: v) == [6])
        let z = b.record { a.record { b.record { v.value * 2 } } }
        #expect(b.gradient(of: z, wrt: v) == [2])
    }

    @Test func recordRethrows() {
        struct Failure: Error {}
        let tape = GradientTape()
        #expect(throws: Failure.self) { try tape.record { throw Failure() } }
        #expect(GradientTape.current == nil)
    }

    @Test func secondOrderOfCube() {
        let outer = GradientTape(), inner = GradientTape()
        let x = outer.watch([2, -1])
        let firstDerivative = outer.record { () -> Tensor in
            let y = inner.record { (x * x * x).sum() }
            return inner.gradient(of: y, wrt: x)
        }
        #expect(firstDerivative == [12, 3])   // 3x²
        #expect(firstDerivative.isTracked)
        #expect(outer.gradient(of: firstDerivative, wrt: x) == [12, -6])   // 6x

        let viaPow = outer.record { () -> Tensor in
            inner.gradient(of: inner.record { x.pow(3).sum() }, wrt: x)
        }
        expectClose(viaPow, [12, 3])
        expectClose(outer.gradient(of: viaPow, wrt: x), [12, -6])
    }

    @Test func thirdOrderOfCube() {
        let t1 = GradientTape(), t2 = GradientTape(), t3 = GradientTape()
        let x = t1.watch([2])
        let second = t1.record { () -> Tensor in
            let first = t2.record { t2.gradient(of: t3.record { (x * x * x).sum() }, wrt: x) }
            return t2.gradient(of: first, wrt: x)
        }
        #expect(second == [12])
        #expect(t1.gradient(of: second, wrt: x) == [6])
    }

    @Test func variablesInNestedTapes() {
        let v = Variable([3])
        let outer = GradientTape(), inner = GradientTape()
        let dy = outer.record { () -> Tensor in
            let y = inner.record { v.value.square().sum() * v.value.sum() }
            return inner.gradient(of: y, wrt: v)
        }
        #expect(dy == [27])
        #expect(outer.gradient(of: dy, wrt: v) == [18])
    }
}

import Foundation
import Testing
@testable import Keras

@Suite("Optimizers")
struct OptimizerTests {
    static func close(_ a: Float, _ b: Float, tolerance: Float = 1e-6) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { close($0, $1, tolerance: tolerance) }
    }

    // MARK: - Hand-checked single steps

    @Test func sgdStep() throws {
        let w = Variable(Tensor([1, -2, 3]), name: "w")
        let sgd = SGD(learningRate: 0.1)
        try sgd.apply([Tensor([0.5, 1, -2])], to: [w])
        #expect(Self.close(w.value.scalars, [0.95, -2.1, 3.2]))
        #expect(sgd.iterations == 1)
    }

    @Test func sgdMomentumAndNesterov() throws {
        let w = Variable(Tensor([1]), name: "w")
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        try sgd.apply([Tensor([1])], to: [w])  // m = -0.1, w = 0.9
        try sgd.apply([Tensor([1])], to: [w])  // m = -0.09 - 0.1 = -0.19, w = 0.71
        #expect(Self.close(w.value.scalars, [0.71]))
        #expect(Self.close(sgd.momentums[0].value.scalars, [-0.19]))

        let v = Variable(Tensor([1]), name: "v")
        let nesterov = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        try nesterov.apply([Tensor([1])], to: [v])  // m = -0.1; w += 0.9 * -0.1 - 0.1 = -0.19
        #expect(Self.close(v.value.scalars, [0.81]))
    }

    @Test func adamFirstStep() throws {
        // m = 0.2, v = 0.004, alpha = 0.1 * sqrt(0.001) / 0.1, w -= m * alpha / (sqrt(v) + 1e-7)
        let w = Variable(Tensor([1]), name: "w")
        let adam = Adam(learningRate: 0.1)
        try adam.apply([Tensor([2])], to: [w])
        let alpha = 0.1 * Double(0.001).squareRoot() / 0.1
        let expected = 1 - 0.2 * alpha / (Double(0.004).squareRoot() + 1e-7)
        #expect(Self.close(w.value.scalar, Float(expected)))
        #expect(Self.close(adam.momentums[0].value.scalar, 0.2))
        #expect(Self.close(adam.velocities[0].value.scalar, 0.004))
    }

    @Test func rmspropAdagradAdadeltaAdamaxSteps() throws {
        let a = Variable(Tensor([1]), name: "a")
        try RMSprop().apply([Tensor([2])], to: [a])
        // v = 0.1 * 4 = 0.4; w -= 0.001 * 2 / sqrt(0.4 + 1e-7)
        #expect(Self.close(a.value.scalar, Float(1 - 0.002 / (0.4 + 1e-7).squareRoot())))

        let b = Variable(Tensor([1]), name: "b")
        try Adagrad().apply([Tensor([2])], to: [b])
        // acc = 0.1 + 4; w -= 0.001 * 2 / sqrt(4.1 + 1e-7)
        #expect(Self.close(b.value.scalar, Float(1 - 0.002 / (4.1 + 1e-7).squareRoot())))

        let c = Variable(Tensor([1]), name: "c")
        try Adadelta(learningRate: 1).apply([Tensor([2])], to: [c])
        // accGrad = 0.05 * 4 = 0.2; delta = -sqrt(1e-7) * 2 / sqrt(0.2 + 1e-7)
        let delta = -(1e-7).squareRoot() * 2 / (0.2 + 1e-7).squareRoot()
        #expect(Self.close(c.value.scalar, Float(1 + delta)))

        let d = Variable(Tensor([1]), name: "d")
        try Adamax(learningRate: 0.1).apply([Tensor([-2])], to: [d])
        // m = -0.2, u = 2; w -= 0.1 * -0.2 / ((1 - 0.9) * (2 + 1e-7))
        #expect(Self.close(d.value.scalar, Float(1 + 0.02 / (0.1 * (2 + 1e-7)))))
    }

    @Test func nadamFirstStep() throws {
        let w = Variable(Tensor([1]), name: "w")
        let nadam = Nadam(learningRate: 0.1)
        try nadam.apply([Tensor([2])], to: [w])
        let uT = 0.9 * (1 - 0.5 * pow(0.96, 1.0)), uNext = 0.9 * (1 - 0.5 * pow(0.96, 2.0))
        let product = uT, productNext = uT * uNext
        let m = 0.2, v = 0.004
        let mHat = uNext * m / (1 - productNext) + (1 - uT) * 2 / (1 - product)
        let vHat = v / (1 - 0.999)
        #expect(Self.close(w.value.scalar, Float(1 - 0.1 * mHat / (vHat.squareRoot() + 1e-7)), tolerance: 1e-5))
        #expect(Self.close(nadam.uProduct!.value.scalar, Float(uT)))
    }

    @Test func weightDecayIsDecoupled() throws {
        let w = Variable(Tensor([2]), name: "w")
        let sgd = SGD(learningRate: 0.1, weightDecay: 0.5)
        try sgd.apply([Tensor([1])], to: [w])
        // w -= w * 0.5 * 0.1 → 1.9, then w -= 0.1 * 1 → 1.8
        #expect(Self.close(w.value.scalar, 1.8))

        let kernel = Variable(Tensor([2]), name: "dense/kernel"), bias = Variable(Tensor([2]), name: "dense/bias")
        let adamw = AdamW(learningRate: 0.1, weightDecay: 0.5)
        try adamw.excludeFromWeightDecay(names: ["bias"])
        try adamw.apply([Tensor([0]), Tensor([0])], to: [kernel, bias])
        #expect(Self.close(kernel.value.scalar, 1.9))
        #expect(Self.close(bias.value.scalar, 2))
        #expect(throws: KerasError.self) { try adamw.excludeFromWeightDecay(names: ["x"]) }
    }

    // MARK: - Clipping

    @Test func clipping() throws {
        // clipnorm: each gradient scaled to norm ≤ 1; [3, 4] has norm 5.
        let a = Variable(Tensor([0, 0]), name: "a"), b = Variable(Tensor([0]), name: "b")
        try SGD(learningRate: 1, clipNorm: 1).apply([Tensor([3, 4]), Tensor([0.5])], to: [a, b])
        #expect(Self.close(a.value.scalars, [-0.6, -0.8]))
        #expect(Self.close(b.value.scalars, [-0.5]))

        // global_clipnorm: all gradients together; norm of [3, 4, 12] is 13.
        let c = Variable(Tensor([0, 0]), name: "c"), d = Variable(Tensor([0]), name: "d")
        try SGD(learningRate: 1, globalClipNorm: 1.3).apply([Tensor([3, 4]), Tensor([12])], to: [c, d])
        #expect(Self.close(c.value.scalars, [-0.3, -0.4]))
        #expect(Self.close(d.value.scalars, [-1.2]))

        // clipvalue: each scalar into [-0.5, 0.5].
        let e = Variable(Tensor([0, 0, 0]), name: "e")
        try SGD(learningRate: 1, clipValue: 0.5).apply([Tensor([-2, 0.25, 3])], to: [e])
        #expect(Self.close(e.value.scalars, [0.5, -0.25, -0.5]))

        // Zero gradients stay zero under clipnorm (no division by a zero norm).
        let f = Variable(Tensor([1, 1]), name: "f")
        try SGD(learningRate: 1, clipNorm: 1).apply([Tensor([0, 0])], to: [f])
        #expect(f.value.scalars == [1, 1])
    }

    @Test func onlyOneClipOption() {
        let w = Variable(Tensor([1]), name: "w")
        let sgd = SGD(clipNorm: 1, clipValue: 1)
        #expect(throws: KerasError.self) { try sgd.apply([Tensor([1])], to: [w]) }
        #expect(w.value.scalars == [1])
        #expect(sgd.iterations == 0)
    }

    // MARK: - Errors

    @Test func mismatchedGradientsThrow() throws {
        let kernel = Variable(Tensor.zeros([4, 3]), name: "dense/kernel")
        let bias = Variable(Tensor.zeros([3]), name: "dense/bias")
        let adam = Adam()
        #expect(throws: KerasError.self) { try adam.apply([Tensor.zeros([4, 3])], to: [kernel, bias]) }
        do {
            try adam.apply([Tensor.zeros([4, 3]), Tensor.zeros([4])], to: [kernel, bias])
            Issue.record("expected a shape error")
        } catch let error as KerasError {
            let message = error.description
            #expect(message.contains("dense/bias") && message.contains("(3,)") && message.contains("(4,)"), "\(message)")
        }
        // A failed call changes nothing: the optimizer is not even built.
        #expect(!adam.isBuilt && adam.iterations == 0)

        try adam.apply([Tensor.ones([4, 3]), Tensor.ones([3])], to: [kernel, bias])
        let stranger = Variable(Tensor.zeros([3]), name: "other/bias")
        #expect(throws: KerasError.self) { try adam.apply([Tensor.ones([3])], to: [stranger]) }
        #expect(adam.iterations == 1)
    }

    @Test func invalidHyperparametersThrow() {
        let w = Variable(Tensor([1]), name: "w")
        #expect(throws: KerasError.self) { try SGD(momentum: 1.5).apply([Tensor([1])], to: [w]) }
        let adamw = AdamW()
        adamw.weightDecay = nil
        #expect(throws: KerasError.self) { try adamw.apply([Tensor([1])], to: [w]) }
    }

    // MARK: - State

    @Test func stateAndSavingOrder() throws {
        let kernel = Variable(Tensor.zeros([2, 3]), name: "dense/kernel")
        let bias = Variable(Tensor.zeros([3]), name: "dense/bias")
        let adam = Adam(amsgrad: true, name: "adam_test")
        #expect(adam.variables.map(\.name) == ["adam_test/iteration", "adam_test/learning_rate"])
        try adam.apply([Tensor.ones([2, 3]), Tensor.ones([3])], to: [kernel, bias])
        #expect(adam.variables.map(\.name) == [
            "adam_test/iteration", "adam_test/learning_rate",
            "adam_test/dense_kernel_momentum", "adam_test/dense_kernel_velocity",
            "adam_test/dense_bias_momentum", "adam_test/dense_bias_velocity",
            "adam_test/dense_kernel_velocity_hat", "adam_test/dense_bias_velocity_hat",
        ])
        #expect(adam.variables.allSatisfy { !$0.trainable })
        #expect(adam.variables[0].value.scalar == 1)
        #expect(adam.variables[1].value.scalar == 0.001)

        let rms = RMSprop(momentum: 0.5, centered: true, name: "rms")
        try rms.apply([Tensor.ones([2, 3]), Tensor.ones([3])], to: [kernel, bias])
        #expect(rms.variables.map(\.name) == [
            "rms/iteration", "rms/learning_rate", "rms/dense_kernel_velocity", "rms/dense_bias_velocity",
            "rms/dense_kernel_momentum", "rms/dense_bias_momentum",
            "rms/dense_kernel_average_gradient", "rms/dense_bias_average_gradient",
        ])

        let scheduled = SGD(learningRate: ExponentialDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5),
                            momentum: 0.9, name: "s")
        try scheduled.apply([Tensor.ones([3])], to: [bias])
        #expect(scheduled.variables.map(\.name) == ["s/iteration", "s/dense_bias_momentum"])
        #expect(Self.close(scheduled.learningRate, 0.05))

        let nadam = Nadam(name: "n")
        try nadam.apply([Tensor.ones([3])], to: [bias])
        #expect(nadam.variables.map(\.name) == ["n/iteration", "n/learning_rate", "n/dense_bias_momentum",
                                                "n/dense_bias_velocity", "n/variable"])
    }

    @Test func subsetsOfVariablesUpdateOnlyThemselves() throws {
        let a = Variable(Tensor([1]), name: "a"), b = Variable(Tensor([1]), name: "b")
        let sgd = SGD(learningRate: 0.1, momentum: 0.5)
        try sgd.apply([Tensor([1]), Tensor([1])], to: [a, b])
        try sgd.apply([Tensor([1])], to: [b])
        #expect(Self.close(a.value.scalar, 0.9))
        #expect(Self.close(b.value.scalar, 0.9 - 0.15))
        #expect(Self.close(sgd.momentums[0].value.scalar, -0.1))
        #expect(sgd.iterations == 2)
    }

    @Test func iterationCount() throws {
        let w = Variable(Tensor([1]), name: "w")
        let sgd = SGD(learningRate: 0.1)
        try sgd.applyGradients([(Tensor([1]), w)])
        #expect(sgd.iterations == 1 && sgd.iterationsVariable.value.scalar == 1)
        // Exact past 2^24, where a Float counter would stop moving.
        sgd.iterations = 20_000_001
        try sgd.apply([Tensor([1])], to: [w])
        #expect(sgd.iterations == 20_000_002)
        // Loading state assigns the variable; the count follows it.
        sgd.iterationsVariable.assign(Tensor(7))
        #expect(sgd.iterations == 7)
    }

    @Test func learningRateIsSettable() throws {
        let w = Variable(Tensor([1]), name: "w")
        let sgd = SGD(learningRate: 0.1)
        sgd.learningRate = 0.5
        #expect(sgd.learningRate == 0.5)
        try sgd.apply([Tensor([1])], to: [w])
        #expect(Self.close(w.value.scalar, 0.5))
        #expect(sgd.config.first { $0.key == "learning_rate" }?.value == .double(0.5))

        let scheduled = Adam(learningRate: PiecewiseConstantDecay(boundaries: [0], values: [0.1, 0.01]))
        #expect(scheduled.learningRate == 0.1)
        #expect(throws: KerasError.self) { try scheduled.setLearningRate(0.3) }
        scheduled.iterations = 1
        #expect(scheduled.learningRate == 0.01)
        scheduled.learningRateSchedule = nil
        #expect(scheduled.learningRate == 0.01)
        try scheduled.setLearningRate(0.3)
        #expect(scheduled.learningRate == 0.3)
    }

    @Test func setWeightsRestoresState() throws {
        let w = Variable(Tensor([1, 2]), name: "w")
        let first = Adam(learningRate: 0.1)
        try first.apply([Tensor([1, -1])], to: [w])
        try first.apply([Tensor([0.5, 2])], to: [w])

        let w2 = Variable(w.value, name: "w")
        let second = Adam(learningRate: 0.1)
        #expect(throws: KerasError.self) { try second.setWeights(first.weights) }
        second.build([w2])
        try second.setWeights(first.weights)
        #expect(second.iterations == 2)
        try first.apply([Tensor([1, 1])], to: [w])
        try second.apply([Tensor([1, 1])], to: [w2])
        #expect(w.value == w2.value)
        #expect(throws: KerasError.self) { try second.setWeights(Array(first.weights.dropLast())) }
    }

    @Test func largeVariablesUseTheParallelPath() throws {
        // Big enough to be split over threads; checked against a single-threaded reference.
        let count = 100_003
        let initial = Tensor.randomNormal([count], seed: 1)
        let gradient = Tensor.randomNormal([count], seed: 2)
        let big = Variable(initial, name: "big")
        let adam = Adam(learningRate: 0.01)
        try adam.apply([gradient], to: [big])
        try adam.apply([gradient], to: [big])
        // Reference: apply element-wise on slices small enough to stay on one thread.
        let small = Adam(learningRate: 0.01)
        let pieces = stride(from: 0, to: count, by: 1000).map { start -> Variable in
            Variable(initial.slice(axis: 0, start..<min(count, start + 1000)), name: "p\(start)")
        }
        let gradients = stride(from: 0, to: count, by: 1000).map { gradient.slice(axis: 0, $0..<min(count, $0 + 1000)) }
        try small.apply(gradients, to: pieces)
        try small.apply(gradients, to: pieces)
        #expect(big.value.scalars == pieces.flatMap { $0.value.scalars })
    }

    // MARK: - Names and lookup

    @Test func lookupByName() throws {
        #expect(try Optimizers.named("adam") is Adam)
        #expect(try Optimizers.named("Adam") is Adam)
        #expect(try Optimizers.named("RMSprop") is RMSprop)
        #expect(try Optimizers.named("SGD") is SGD)
        #expect(try Optimizers.named("adamw") is AdamW)
        #expect(try Optimizers.named("nadam") is Nadam)
        #expect(try Optimizers.named("ADAMAX") is Adamax)
        #expect(try Optimizers.named("adagrad") is Adagrad)
        #expect(try Optimizers.named("adadelta") is Adadelta)
        #expect(try Optimizers.named("rmsprop").learningRate == 0.001)
        #expect(try Optimizers.named("sgd").learningRate == 0.01)
        do {
            _ = try Optimizers.named("adamm")
            Issue.record("expected an error")
        } catch let error as KerasError {
            #expect(error == .unknownName(kind: "optimizer", name: "adamm", valid: Optimizers.names))
            #expect(error.description.contains("rmsprop"))
        }
    }

    @Test func defaultNamesFollowKeras() {
        #expect("RMSprop".snakeCased == "rm_sprop")
        #expect("AdamW".snakeCased == "adam_w")
        #expect("SGD".snakeCased == "sgd")
        #expect("Adagrad".snakeCased == "adagrad")
        #expect("LossScaleOptimizer".snakeCased == "loss_scale_optimizer")
        // Layer names and saved-group names use the same function.
        #expect("Conv2D".snakeCased == "conv2d")
        #expect("BatchNormalization".snakeCased == "batch_normalization")
        #expect("ReLU".snakeCased == "re_lu")
        #expect("LSTM".snakeCased == "lstm")
        let first = Adamax(), second = Adamax()
        #expect(first.name.hasPrefix("adamax") && second.name.hasPrefix("adamax_") && first.name != second.name)
        #expect(RMSprop().name.hasPrefix("rm_sprop"))
        #expect(AdamW().name.hasPrefix("adam_w"))
    }

    @Test func keras2Spelling() {
        let sgd = SGD(lr: 0.05)
        #expect(sgd.learningRate == 0.05)
        #expect(Adam(lr: 0.002).learningRate == 0.002)
        #expect(RMSprop(lr: 0.01).learningRate == 0.01)
    }

    // MARK: - Config

    @Test func configMatchesKeras() {
        let adam = Adam(learningRate: 0.01, name: "adam")
        #expect(ConfigValue.object(adam.config).json == """
            {"name": "adam", "learning_rate": 0.009999999776482582, "weight_decay": null, "clipnorm": null, \
            "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, \
            "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, \
            "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}
            """)
        let sgd = SGD(learningRate: CosineDecay(initialLearningRate: 0.1, decaySteps: 100, warmupTarget: 0.2,
                                                warmupSteps: 10), name: "sgd_2")
        #expect(sgd.serialized.json == """
            {"module": "keras.optimizers", "class_name": "SGD", "config": {"name": "sgd_2", "learning_rate": \
            {"module": "keras.optimizers.schedules", "class_name": "CosineDecay", "config": \
            {"initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.0, "name": "CosineDecay", \
            "warmup_target": 0.2, "warmup_steps": 10}, "registered_name": null}, "weight_decay": null, \
            "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, \
            "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, \
            "momentum": 0.0, "nesterov": false}, "registered_name": null}
            """)
    }

    @Test func deserializeRoundTrips() throws {
        let original = RMSprop(learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true, clipNorm: 2, name: "r")
        let copy = try Optimizers.deserialize(original.serialized)
        #expect(copy is RMSprop)
        #expect(copy.serialized == original.serialized)

        let json = Data(original.serialized.json.utf8)
        let decoded = try JSONDecoder().decode(ConfigValue.self, from: json)
        let fromJSON = try Optimizers.deserialize(decoded)
        #expect(fromJSON.serialized.json == original.serialized.json)

        let scheduled = Adam(learningRate: ExponentialDecay(initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5,
                                                            staircase: true), name: "a")
        let scheduledCopy = try Optimizers.deserialize(scheduled.serialized)
        #expect(scheduledCopy.serialized == scheduled.serialized)
        #expect(scheduledCopy.learningRateSchedule is ExponentialDecay)

        #expect(throws: KerasError.self) {
            try Optimizers.deserialize(.object([.init("class_name", .string("Lion")), .init("config", .object([]))]))
        }
        #expect(throws: KerasError.self) {
            try Optimizers.make(className: "adam", config: .object([.init("use_ema", .bool(true))]))
        }
    }

    // MARK: - Schedules

    @Test func schedulesByHand() {
        let exponential = ExponentialDecay(initialLearningRate: 1, decaySteps: 2, decayRate: 0.5, staircase: true)
        #expect(exponential(step: 0) == 1 && exponential(step: 1) == 1 && exponential(step: 2) == 0.5)
        let piecewise = PiecewiseConstantDecay(boundaries: [10, 20], values: [1, 0.5, 0.1])
        #expect(piecewise(step: 10) == 1 && piecewise(step: 11) == 0.5 && piecewise(step: 20) == 0.5)
        #expect(piecewise(step: 21) == 0.1)
        let cosine = CosineDecay(initialLearningRate: 1, decaySteps: 10, alpha: 0.1)
        #expect(Self.close(cosine(step: 0), 1) && Self.close(cosine(step: 5), 0.55) && Self.close(cosine(step: 99), 0.1))
        let warm = CosineDecay(initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4)
        #expect(Self.close(warm(step: 2), 0.5) && Self.close(warm(step: 4), 1) && Self.close(warm(step: 9), 0.5))
        let inverse = InverseTimeDecay(initialLearningRate: 1, decaySteps: 1, decayRate: 1)
        #expect(Self.close(inverse(step: 3), 0.25))
    }

    // MARK: - The vectorised Adam kernel

    /// The C kernel computes Adam's rule (with clipping, weight decay, AMSGrad) exactly as the
    /// scalar loop below, bit for bit, over several threads' chunks and an odd tail.
    @Test(arguments: [false, true])
    func adamKernelMatchesTheScalarRuleExactly(amsgrad: Bool) throws {
        let count = 100_003
        let start = Tensor.randomNormal([count], seed: 1)
        let variable = Variable(start, name: "w")
        let adam = Adam(learningRate: 0.01, amsgrad: amsgrad, weightDecay: 0.004, clipValue: 1.5)
        var (w, m, v, vHat) = (start.scalars, [Float](repeating: 0, count: count), [Float](repeating: 0, count: count),
                               [Float](repeating: 0, count: count))
        let (oneMinusBeta1, oneMinusBeta2) = (Optimizer.oneMinus(adam.beta1), Optimizer.oneMinus(adam.beta2))
        for step in 1...3 {
            let gradient = Tensor.randomNormal([count], standardDeviation: 2, seed: UInt64(10 + step))
            try adam.apply([gradient], to: [variable])
            let t = Float(step)
            let alpha = 0.01 * Optimizer.squareRoot(1 - Foundation.pow(adam.beta2, t)) / (1 - Foundation.pow(adam.beta1, t))
            let decay: Float = 0.004 * 0.01
            for (i, g) in gradient.scalars.enumerated() {
                let gi = Swift.min(Swift.max(g * 1, -1.5), 1.5)
                m[i] = m[i] + (gi - m[i]) * oneMinusBeta1
                v[i] = v[i] + (gi * gi - v[i]) * oneMinusBeta2
                vHat[i] = Swift.max(vHat[i], v[i])
                w[i] = (w[i] - w[i] * decay) - (m[i] * alpha) / (Optimizer.squareRoot(amsgrad ? vHat[i] : v[i]) + adam.epsilon)
            }
        }
        #expect(variable.value.scalars == w)
        #expect(adam.momentums[0].value.scalars == m && adam.velocities[0].value.scalars == v)
        if amsgrad { #expect(adam.velocityHats[0].value.scalars == vHat) }
    }
}

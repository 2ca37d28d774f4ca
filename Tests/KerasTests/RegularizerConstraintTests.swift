import Foundation
import Testing
@testable import Keras

@Suite("Regularizers and constraints", .freshLayerNames) struct RegularizerConstraintTests {
    // MARK: Regularizers

    @Test func penaltiesMatchKeras() throws {
        let fixture = try LayerFixtures.load()
        let weight = Tensor(doubles: fixture.regularizer_weight)
        let regularizers: [String: Regularizer] = [
            "l1": try Regularizer(named: "l1"), "l2": try Regularizer(named: "l2"), "l1l2": try Regularizer(named: "l1l2"),
            "l1_l2_factors": .l1l2(l1: 0.02, l2: 0.03), "l1_0.5": .l1(0.5), "l2_0.25": .l2(0.25),
        ]
        #expect(Set(fixture.regularizers.map(\.id)) == Set(regularizers.keys))
        for expected in fixture.regularizers {
            let regularizer = try #require(regularizers[expected.id])
            #expect(abs(Double(regularizer.l1) - expected.l1) < 1e-7 && abs(Double(regularizer.l2) - expected.l2) < 1e-7,
                    "\(expected.id): factors \(regularizer.l1), \(regularizer.l2)")
            expectClose([regularizer(weight).scalar], [expected.value], tolerance: 1e-6, expected.id)
        }
    }

    @Test func namedDefaultsAreKeras3s() throws {
        #expect(try Regularizer(named: "l1").l1 == 0.01)
        #expect(try Regularizer(named: "L2").l2 == 0.01)
        // Keras 3's L1L2 (and `keras.regularizers.l1_l2()`) default to no penalty at all.
        for name in ["l1_l2", "l1l2", "L1L2"] {
            let regularizer = try Regularizer(named: name)
            #expect(regularizer.l1 == 0 && regularizer.l2 == 0, "\(name)")
        }
        #expect(Regularizer.l1l2().l1 == 0 && Regularizer.l1l2().l2 == 0)
        #expect(throws: KerasError.self) { try Regularizer(named: "l3") }
    }

    @Test func negativeOrNonFiniteFactorsAreRejected() throws {
        // Keras: "Invalid value for argument l2: expected a non-negative float".
        for regularizer in [Regularizer.l2(-1), .l1(.nan), .l1l2(l1: 0.1, l2: -.infinity)] {
            #expect(throws: KerasError.self, "\(regularizer.l1) \(regularizer.l2)") { try regularizer.validate() }
            #expect(throws: KerasError.self) {
                try Dense(units: 1, kernelRegularizer: regularizer).buildIfNeeded(inputShape: [nil, 2])
            }
        }
        try Regularizer.l1l2(l1: 0, l2: 0.5).validate()
    }

    @Test func penaltyGradients() {
        let w = Variable(Tensor([[0.5, -2], [1.5, 0.25]] as [[Float]]))
        let tape = GradientTape()
        let penalty = tape.record { Regularizer.l1l2(l1: 0.1, l2: 0.2)(w.value) }
        let gradient = tape.gradient(of: penalty, wrt: w)
        // d/dw (l1 |w| + l2 w²) = l1 sign(w) + 2 l2 w
        expectClose(gradient.scalars, [0.1 + 0.2, -0.1 - 0.8, 0.1 + 0.6, 0.1 + 0.1], tolerance: 1e-6, "gradient")
    }

    /// Keras adds the penalties to the loss in `fit` and in `evaluate`, and their gradient to the
    /// update: the same loss and weights as Keras from the same start.
    @Test func regularizedDenseMatchesKerasInFitAndEvaluate() throws {
        let fixture = try LayerFixtures.load().regularized_fit
        let dense = Dense(units: 1, kernelRegularizer: .l2(0.1), biasRegularizer: .l1(0.05), inputShape: [2])
        let model = Sequential([dense])
        try model.setWeights([Tensor(shape: [2, 1], scalars: fixture.initial_weights[0].map(Float.init)),
                              Tensor(fixture.initial_weights[1].map(Float.init))])
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        let x = Tensor(doubles: fixture.x), y = Tensor(doubles: fixture.y)

        // The penalty by hand: 0.1 · (0.5² + 1²) + 0.05 · |0.3|.
        let penalty = try #require(dense.regularizationLoss()).scalar
        #expect(abs(penalty - 0.14) < 1e-6)
        let mse = ((try model.predict(x)) - y).square().mean().scalar
        expectClose([mse], [fixture.unregularized_loss], tolerance: 1e-6, "mse")
        let evaluation = try model.evaluate(x, y, verbose: 0)
        expectClose([evaluation.loss], [fixture.evaluate_before], tolerance: 1e-6, "evaluate")
        expectClose([evaluation.loss], [Double(mse + penalty)], tolerance: 1e-6, "evaluate = mse + penalty")

        let history = try model.fit(x, y, epochs: 1, batchSize: 4, verbose: 0, shuffle: false)
        expectClose(history["loss"], fixture.history_loss, tolerance: 1e-6, "fit loss")
        expectClose(model.getWeights().flatMap(\.scalars), fixture.final_weights.flatMap { $0 }, tolerance: 1e-6, "weights")
    }

    @Test func frozenLayersAddNoPenalty() throws {
        let dense = Dense(units: 1, kernelRegularizer: .l2(1), inputShape: [2])
        let model = Sequential([dense])
        try model.setWeights([Tensor.ones([2, 1]), Tensor.zeros([1])])
        #expect(dense.regularizationLoss()?.scalar == 2)
        dense.trainable = false
        // As Keras' `layer.losses`, which only regularizes trainable weights.
        #expect(dense.regularizationLoss() == nil)
        try model.compile(optimizer: SGD(), loss: "mse")
        let x = Tensor.ones([3, 2])
        #expect(try model.evaluate(x, Tensor.full([3, 1], 2), verbose: 0).loss == 0)
        #expect(Dense(units: 1).regularizationLoss() == nil)
    }

    // MARK: Constraints

    @Test func projectionsMatchKeras() throws {
        let fixture = try LayerFixtures.load()
        let weight = Tensor(doubles: fixture.constraint_weight)
        let constraints: [String: Constraint] = [
            "max_norm": try Constraint(named: "max_norm"), "max_norm_1.5_axis1": .maxNorm(1.5, axis: 1),
            "max_norm_negative": .maxNorm(-1), "non_neg": try Constraint(named: "non_neg"),
            "unit_norm": try Constraint(named: "unit_norm"), "unit_norm_axis1": .unitNorm(axis: 1),
            "min_max_norm": try Constraint(named: "min_max_norm"),
            "min_max_norm_custom": .minMaxNorm(minValue: 0.5, maxValue: 1, rate: 0.5, axis: 1),
            "min_max_norm_inverted": .minMaxNorm(minValue: 2, maxValue: 1),
        ]
        #expect(Set(fixture.constraints.map(\.id)) == Set(constraints.keys))
        for expected in fixture.constraints {
            let constraint = try #require(constraints[expected.id])
            let output = constraint(weight)
            #expect(output.shape == weight.shape)
            expectClose(output.scalars, expected.output.flatMap { $0 }, tolerance: 1e-6, expected.id)
        }
    }

    @Test func namedConstraintsUseKerasDefaults() throws {
        #expect(try Constraint(named: "max_norm").maxValue == 2)
        #expect(try Constraint(named: "MaxNorm").name == "max_norm")
        let minMax = try Constraint(named: "min_max_norm")
        #expect(minMax.minValue == 0 && minMax.maxValue == 1 && minMax.rate == 1 && minMax.axis == 0)
        #expect(try Constraint(named: "UnitNorm").axis == 0)
        #expect(throws: KerasError.self) { try Constraint(named: "max_norms") }
        // The results satisfy the constraint.
        let w = Tensor.randomNormal([5, 3], seed: 8) * 3
        let norms = Constraint.unitNorm()(w).square().sum(axis: 0).sqrt().scalars
        #expect(norms.allSatisfy { abs($0 - 1) < 1e-5 })
        let capped = Constraint.maxNorm(1.5)(w).square().sum(axis: 0).sqrt().scalars
        #expect(capped.allSatisfy { $0 <= 1.5 + 1e-5 })
        #expect(Constraint.nonNeg(w).scalars.allSatisfy { $0 >= 0 })
    }

    @Test func constraintAxesOutsideTheWeightThrow() throws {
        // A bias has one axis: a norm over axis 1 cannot apply (thrown when the layer builds).
        #expect(throws: KerasError.self) {
            try Dense(units: 2, biasConstraint: .maxNorm(1, axis: 1)).buildIfNeeded(inputShape: [nil, 3])
        }
        #expect(throws: KerasError.self) { try Constraint.unitNorm(axis: -3).validate(forShape: [3, 2]) }
        try Constraint.unitNorm(axis: -1).validate(forShape: [3, 2])
        try Constraint.nonNeg.validate(forShape: [])
        try Dense(units: 2, kernelConstraint: .minMaxNorm(axis: 1)).buildIfNeeded(inputShape: [nil, 3])
    }

    @Test func constraintsApplyAfterEveryStep() throws {
        let (model, dense) = Keras.withRandomSeed(21) { () -> (Sequential, Dense) in
            let dense = Dense(units: 3, kernelConstraint: .nonNeg, biasConstraint: .maxNorm(0.1), inputShape: [2])
            return (Sequential([dense, Dense(units: 1)]), dense)
        }
        try model.compile(optimizer: SGD(learningRate: 0.5), loss: "mse")
        let x = Tensor.randomNormal([24, 2], seed: 3)
        let y = -10 * x.sum(axis: 1, keepDims: true)
        final class Checks: @unchecked Sendable { var batches = 0, violations: [String] = [] }
        let checks = Checks()
        let checker = LambdaCallback(onBatchEnd: { batch, _ in
            checks.batches += 1
            if dense.kernel!.value.scalars.contains(where: { $0 < 0 }) { checks.violations.append("kernel at batch \(batch)") }
            if dense.bias!.value.square().sum().sqrt().scalar > 0.1 + 1e-6 { checks.violations.append("bias at batch \(batch)") }
        })
        try Keras.withRandomSeed(2) { _ = try model.fit(x, y, epochs: 2, batchSize: 6, verbose: 0, callbacks: [checker]) }
        #expect(checks.batches == 8)
        #expect(checks.violations.isEmpty, "\(checks.violations)")
    }

    @Test func oneConstrainedStepIsTheProjectedUnconstrainedStep() throws {
        let x = Tensor.randomNormal([8, 3], seed: 5), y = Tensor.randomNormal([8, 2], seed: 6)
        let start = [Tensor.randomNormal([3, 2], seed: 7), Tensor([0.8, -0.6])]
        func trainedOnce(_ kernelConstraint: Constraint?, _ biasConstraint: Constraint?) throws -> [Tensor] {
            let model = Sequential([Dense(units: 2, kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, inputShape: [3])])
            try model.setWeights(start)
            try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
            try model.trainOnBatch(x, y)
            return model.getWeights()
        }
        let free = try trainedOnce(nil, nil)
        let constrained = try trainedOnce(.unitNorm(), .maxNorm(0.5))
        expectClose(constrained[0].scalars, Constraint.unitNorm()(free[0]).scalars.map(Double.init), tolerance: 1e-6, "kernel")
        expectClose(constrained[1].scalars, Constraint.maxNorm(0.5)(free[1]).scalars.map(Double.init), tolerance: 1e-6, "bias")
    }

    @Test func frozenConstrainedWeightsAreLeftAlone() throws {
        // Keras' optimizers apply constraints to the variables they update only.
        let first = Dense(units: 2, kernelConstraint: .unitNorm(), inputShape: [2])
        let model = Sequential([first, Dense(units: 1)])
        try model.setWeights([Tensor([[2, 0], [0, 3]] as [[Float]]), Tensor.zeros([2]), Tensor.ones([2, 1]), Tensor.zeros([1])])
        first.trainable = false
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        try model.fit(Tensor.ones([4, 2]), Tensor.zeros([4, 1]), epochs: 1, verbose: 0)
        #expect(first.getWeights()[0] == Tensor([[2, 0], [0, 3]] as [[Float]]))
    }
}

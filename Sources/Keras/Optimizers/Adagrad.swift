/// Adagrad (Keras' `Adagrad`): `acc += g²`, then `w -= learningRate * g / sqrt(acc + epsilon)`.
open class Adagrad: Optimizer {
    /// The starting value of the accumulators.
    public var initialAccumulatorValue: Float
    public var epsilon: Float
    /// Sums of squared gradients, one per variable.
    public private(set) var accumulators: [Variable] = []

    public init(learningRate: Float = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7,
                weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// An Adagrad optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, initialAccumulatorValue: Float = 0.1,
                            epsilon: Float = 1e-7, weightDecay: Float? = nil, clipNorm: Float? = nil,
                            clipValue: Float? = nil, globalClipNorm: Float? = nil, name: String? = nil) {
        self.init(learningRate: schedule(step: 0), initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon,
                  weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                  name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `Adagrad(lr=0.01)`: the same as `Adagrad(learningRate: 0.01)`.
    public convenience init(lr: Float, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7) {
        self.init(learningRate: lr, initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon)
    }

    open override func build(slotsFor variables: [Variable]) {
        accumulators = addSlots(for: variables, name: "accumulator", initialValue: initialAccumulatorValue)
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let lr = context.learningRate, epsilon = self.epsilon
        Optimizer.update(variable, accumulators[index], gradient: gradient) { w, acc, g, range in
            for i in range {
                let gi = context.clipped(g[i])
                let ai = acc[i] + gi * gi
                acc[i] = ai
                w[i] = context.decayed(w[i]) - (lr * gi) / Optimizer.squareRoot(ai + epsilon)
            }
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("initial_accumulator_value", .float(initialAccumulatorValue)),
         ConfigField("epsilon", .float(epsilon))]
    }
}

/// Adadelta (Keras' `Adadelta`):
///
///     accGrad = rho * accGrad + (1 - rho) * g²
///     delta = -sqrt(accDelta + epsilon) * g / sqrt(accGrad + epsilon)
///     accDelta = rho * accDelta + (1 - rho) * delta²
///     w += learningRate * delta
open class Adadelta: Optimizer {
    public var rho: Float
    public var epsilon: Float
    /// Running averages of the squared gradients, one per variable.
    public private(set) var accumulatedGrads: [Variable] = []
    /// Running averages of the squared updates, one per variable.
    public private(set) var accumulatedDeltaVars: [Variable] = []

    public init(learningRate: Float = 0.001, rho: Float = 0.95, epsilon: Float = 1e-7, weightDecay: Float? = nil,
                clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil, name: String? = nil) {
        self.rho = rho
        self.epsilon = epsilon
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// An Adadelta optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, rho: Float = 0.95, epsilon: Float = 1e-7,
                            weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                            globalClipNorm: Float? = nil, name: String? = nil) {
        self.init(learningRate: schedule(step: 0), rho: rho, epsilon: epsilon, weightDecay: weightDecay,
                  clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `Adadelta(lr=1.0)`: the same as `Adadelta(learningRate: 1.0)`.
    public convenience init(lr: Float, rho: Float = 0.95, epsilon: Float = 1e-7) {
        self.init(learningRate: lr, rho: rho, epsilon: epsilon)
    }

    open override func build(slotsFor variables: [Variable]) {
        let slots = addSlots(for: variables, names: ["accumulated_grad", "accumulated_delta_var"])
        accumulatedGrads = slots[0]
        accumulatedDeltaVars = slots[1]
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let lr = context.learningRate, rho = self.rho, oneMinusRho = Optimizer.oneMinus(rho), epsilon = self.epsilon
        Optimizer.update(variable, accumulatedGrads[index], accumulatedDeltaVars[index],
                         gradient: gradient) { w, accGrad, accDelta, g, range in
            for i in range {
                let gi = context.clipped(g[i])
                let ag = rho * accGrad[i] + oneMinusRho * (gi * gi)
                accGrad[i] = ag
                let delta = -((Optimizer.squareRoot(accDelta[i] + epsilon) * gi) / Optimizer.squareRoot(ag + epsilon))
                accDelta[i] = rho * accDelta[i] + oneMinusRho * (delta * delta)
                w[i] = context.decayed(w[i]) + lr * delta
            }
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("rho", .float(rho)), ConfigField("epsilon", .float(epsilon))]
    }
}

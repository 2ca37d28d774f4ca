import Foundation

/// Adamax, Adam with the infinity norm (Keras' `Adamax`):
///
///     m += (g - m) * (1 - beta1);  u = max(beta2 * u, |g|)
///     w -= learningRate * m / ((1 - beta1^t) * (u + epsilon))
open class Adamax: Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// First moments, one per variable.
    public private(set) var momentums: [Variable] = []
    /// Exponentially weighted infinity norms, one per variable.
    public private(set) var norms: [Variable] = []

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// An Adamax optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-7, weightDecay: Float? = nil, clipNorm: Float? = nil,
                            clipValue: Float? = nil, globalClipNorm: Float? = nil, name: String? = nil) {
        self.init(learningRate: schedule(step: 0), beta1: beta1, beta2: beta2, epsilon: epsilon,
                  weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                  name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `Adamax(lr=0.002)`: the same as `Adamax(learningRate: 0.002)`.
    public convenience init(lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.init(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    open override func build(slotsFor variables: [Variable]) {
        let slots = addSlots(for: variables, names: ["momentum", "norm"])
        momentums = slots[0]
        norms = slots[1]
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let lr = context.learningRate, beta2 = self.beta2, oneMinusBeta1 = Optimizer.oneMinus(beta1), epsilon = self.epsilon
        let correction = 1 - Foundation.pow(beta1, Float(context.step))
        Optimizer.update(variable, momentums[index], norms[index], gradient: gradient) { w, m, u, g, range in
            for i in range {
                let gi = context.clipped(g[i])
                let mi = m[i] + (gi - m[i]) * oneMinusBeta1
                let ui = Swift.max(beta2 * u[i], Swift.abs(gi))
                m[i] = mi
                u[i] = ui
                w[i] = context.decayed(w[i]) - (lr * mi) / (correction * (ui + epsilon))
            }
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("beta_1", .float(beta1)), ConfigField("beta_2", .float(beta2)),
         ConfigField("epsilon", .float(epsilon))]
    }
}

import CKernels
import Foundation

/// Adam (Keras' `Adam`), with Keras' form of the bias correction and epsilon outside the root:
///
///     m += (g - m) * (1 - beta1);  v += (g² - v) * (1 - beta2)
///     alpha = learningRate * sqrt(1 - beta2^t) / (1 - beta1^t)
///     w -= m * alpha / (sqrt(v) + epsilon)
///
/// With `amsgrad`, `v` in the last line is the running maximum of `v`.
open class Adam: Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var amsgrad: Bool
    /// First moments, one per variable.
    public private(set) var momentums: [Variable] = []
    /// Second moments, one per variable.
    public private(set) var velocities: [Variable] = []
    /// The running maxima of the second moments (with `amsgrad`).
    public private(set) var velocityHats: [Variable] = []

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                amsgrad: Bool = false, weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// An Adam optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-7, amsgrad: Bool = false, weightDecay: Float? = nil,
                            clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil,
                            name: String? = nil) {
        self.init(learningRate: schedule(step: 0), beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                  weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                  name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `Adam(lr=0.001)`: the same as `Adam(learningRate: 0.001)`.
    public convenience init(lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                            amsgrad: Bool = false) {
        self.init(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad)
    }

    open override func build(slotsFor variables: [Variable]) {
        let slots = addSlots(for: variables, names: ["momentum", "velocity"])
        momentums = slots[0]
        velocities = slots[1]
        velocityHats = amsgrad ? addSlots(for: variables, name: "velocity_hat") : []
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let step = Float(context.step)
        let beta1Power = Foundation.pow(beta1, step)
        let beta2Power = Foundation.pow(beta2, step)
        var constants = keras_adam_step(
            alpha: context.learningRate * Optimizer.squareRoot(1 - beta2Power) / (1 - beta1Power),
            one_minus_beta1: Optimizer.oneMinus(beta1), one_minus_beta2: Optimizer.oneMinus(beta2), epsilon: epsilon,
            gradient_scale: context.gradientScale, clip_lower: context.clipLower, clip_upper: context.clipUpper,
            decay: context.decay)
        // One vectorised pass in C (Swift cannot use AVX here); the same arithmetic as the rule above.
        let slots = [momentums[index], velocities[index]] + (velocityHats.isEmpty ? [] : [velocityHats[index]])
        Optimizer.withScalars(of: [variable] + slots, gradient: gradient) { scalars, g in
            keras_adam_update(gradient.count, scalars[0], scalars[1], scalars[2], scalars.count > 3 ? scalars[3] : nil,
                              g, &constants)
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("beta_1", .float(beta1)), ConfigField("beta_2", .float(beta2)),
         ConfigField("epsilon", .float(epsilon)), ConfigField("amsgrad", .bool(amsgrad))]
    }
}

/// Adam with decoupled weight decay (Keras' `AdamW`): Adam whose `weightDecay` defaults to
/// 0.004 and must be set.
open class AdamW: Adam {
    public init(learningRate: Float = 0.001, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, amsgrad: Bool = false, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        super.init(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                   weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                   name: name)
    }

    /// An AdamW optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, weightDecay: Float = 0.004,
                            beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, amsgrad: Bool = false,
                            clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil,
                            name: String? = nil) {
        self.init(learningRate: schedule(step: 0), weightDecay: weightDecay, beta1: beta1, beta2: beta2,
                  epsilon: epsilon, amsgrad: amsgrad, clipNorm: clipNorm, clipValue: clipValue,
                  globalClipNorm: globalClipNorm, name: name)
        learningRateSchedule = schedule
    }

    open override func validateHyperparameters() throws {
        try super.validateHyperparameters()
        guard weightDecay != nil else {
            throw KerasError.invalidArgument(name: "weightDecay", value: "nil", expected: "a float for AdamW")
        }
    }
}

import Foundation

/// Adam with Nesterov momentum (Keras' `Nadam`), with Keras' momentum schedule
/// `u_t = beta1 * (1 - 0.5 * 0.96^t)` and its running product (an extra optimizer variable,
/// saved after the slots):
///
///     m += (g - m) * (1 - beta1);  v += (g² - v) * (1 - beta2)
///     mHat = u_{t+1} * m / (1 - Π u_{1..t+1}) + (1 - u_t) * g / (1 - Π u_{1..t})
///     vHat = v / (1 - beta2^t)
///     w -= learningRate * mHat / (sqrt(vHat) + epsilon)
open class Nadam: Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// First moments, one per variable.
    public private(set) var momentums: [Variable] = []
    /// Second moments, one per variable.
    public private(set) var velocities: [Variable] = []
    /// The running product of the momentum factors `u_t` (Keras' `_u_product`), starting at 1.
    public private(set) var uProduct: Variable?

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// A Nadam optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-7, weightDecay: Float? = nil, clipNorm: Float? = nil,
                            clipValue: Float? = nil, globalClipNorm: Float? = nil, name: String? = nil) {
        self.init(learningRate: schedule(step: 0), beta1: beta1, beta2: beta2, epsilon: epsilon,
                  weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                  name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `Nadam(lr=0.002)`: the same as `Nadam(learningRate: 0.002)`.
    public convenience init(lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.init(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    open override func build(slotsFor variables: [Variable]) {
        let slots = addSlots(for: variables, names: ["momentum", "velocity"])
        momentums = slots[0]
        velocities = slots[1]
        // Keras creates this one unnamed, so it is saved under the default name "variable".
        uProduct = addVariable(Tensor(1), name: "variable")
    }

    private func momentumFactor(_ step: Int) -> Float {
        beta1 * (1 - 0.5 * Foundation.pow(Float(0.96), Float(step)))
    }

    open override func prepareUpdate(learningRate: Float, step: Int) {
        guard let uProduct else { return }
        uProduct.assign(Tensor(uProduct.value.scalar * momentumFactor(step)))
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let uT = momentumFactor(context.step)
        let uNext = momentumFactor(context.step + 1)
        let productT = uProduct?.value.scalar ?? 1
        let productNext = productT * uNext
        let beta2Power = Foundation.pow(beta2, Float(context.step))
        let momentumCoefficient = uNext / (1 - productNext)
        let gradientCoefficient = (1 - uT) / (1 - productT)
        let velocityCorrection = 1 - beta2Power
        let lr = context.learningRate, oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2, epsilon = self.epsilon
        Optimizer.update(variable, momentums[index], velocities[index], gradient: gradient) { w, m, v, g, range in
            for i in range {
                let gi = context.clipped(g[i])
                let mi = m[i] + (gi - m[i]) * oneMinusBeta1
                let vi = v[i] + (gi * gi - v[i]) * oneMinusBeta2
                m[i] = mi
                v[i] = vi
                let mHat = momentumCoefficient * mi + gradientCoefficient * gi
                let vHat = vi / velocityCorrection
                w[i] = context.decayed(w[i]) - (mHat * lr) / (Optimizer.squareRoot(vHat) + epsilon)
            }
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("beta_1", .float(beta1)), ConfigField("beta_2", .float(beta2)),
         ConfigField("epsilon", .float(epsilon))]
    }
}

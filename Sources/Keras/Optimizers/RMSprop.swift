/// RMSprop (Keras' `RMSprop`, the default optimizer of `compile`):
///
///     v = rho * v + (1 - rho) * g²
///     increment = learningRate * g / sqrt(v + epsilon)       (epsilon inside the root)
///     w -= increment
///
/// With `centered`, `a = rho * a + (1 - rho) * g` and the root is `sqrt(v - a² + epsilon)`.
/// With `momentum > 0`, `mom = momentum * mom + increment` and `w -= mom`.
open class RMSprop: Optimizer {
    public var rho: Float
    public var momentum: Float
    public var epsilon: Float
    public var centered: Bool
    /// Running averages of the squared gradients, one per variable.
    public private(set) var velocities: [Variable] = []
    /// Momentum accumulators (when `momentum > 0`).
    public private(set) var momentums: [Variable] = []
    /// Running averages of the gradients (when `centered`).
    public private(set) var averageGradients: [Variable] = []

    public init(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
                centered: Bool = false, weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// An RMSprop optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, rho: Float = 0.9, momentum: Float = 0,
                            epsilon: Float = 1e-7, centered: Bool = false, weightDecay: Float? = nil,
                            clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil,
                            name: String? = nil) {
        self.init(learningRate: schedule(step: 0), rho: rho, momentum: momentum, epsilon: epsilon, centered: centered,
                  weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                  name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `RMSprop(lr=0.001)`: the same as `RMSprop(learningRate: 0.001)`.
    public convenience init(lr: Float, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
                            centered: Bool = false) {
        self.init(learningRate: lr, rho: rho, momentum: momentum, epsilon: epsilon, centered: centered)
    }

    open override func build(slotsFor variables: [Variable]) {
        velocities = addSlots(for: variables, name: "velocity")
        momentums = momentum > 0 ? addSlots(for: variables, name: "momentum") : []
        averageGradients = centered ? addSlots(for: variables, name: "average_gradient") : []
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let lr = context.learningRate, rho = self.rho, oneMinusRho = Optimizer.oneMinus(rho), epsilon = self.epsilon
        let mu = momentum
        switch (momentums.isEmpty, averageGradients.isEmpty) {
        case (true, true):
            Optimizer.update(variable, velocities[index], gradient: gradient) { w, v, g, range in
                for i in range {
                    let gi = context.clipped(g[i])
                    let vi = rho * v[i] + oneMinusRho * (gi * gi)
                    v[i] = vi
                    w[i] = context.decayed(w[i]) - (lr * gi) / Optimizer.squareRoot(vi + epsilon)
                }
            }
        case (false, true):
            Optimizer.update(variable, velocities[index], momentums[index], gradient: gradient) { w, v, m, g, range in
                for i in range {
                    let gi = context.clipped(g[i])
                    let vi = rho * v[i] + oneMinusRho * (gi * gi)
                    v[i] = vi
                    let mi = mu * m[i] + (lr * gi) / Optimizer.squareRoot(vi + epsilon)
                    m[i] = mi
                    w[i] = context.decayed(w[i]) - mi
                }
            }
        case (true, false):
            Optimizer.update(variable, velocities[index], averageGradients[index], gradient: gradient) { w, v, a, g, range in
                for i in range {
                    let gi = context.clipped(g[i])
                    let vi = rho * v[i] + oneMinusRho * (gi * gi)
                    let ai = rho * a[i] + oneMinusRho * gi
                    v[i] = vi
                    a[i] = ai
                    w[i] = context.decayed(w[i]) - (lr * gi) / Optimizer.squareRoot(vi - ai * ai + epsilon)
                }
            }
        case (false, false):
            Optimizer.update(variable, velocities[index], momentums[index], averageGradients[index],
                             gradient: gradient) { w, v, m, a, g, range in
                for i in range {
                    let gi = context.clipped(g[i])
                    let vi = rho * v[i] + oneMinusRho * (gi * gi)
                    let ai = rho * a[i] + oneMinusRho * gi
                    v[i] = vi
                    a[i] = ai
                    let mi = mu * m[i] + (lr * gi) / Optimizer.squareRoot(vi - ai * ai + epsilon)
                    m[i] = mi
                    w[i] = context.decayed(w[i]) - mi
                }
            }
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("rho", .float(rho)), ConfigField("momentum", .float(momentum)),
         ConfigField("epsilon", .float(epsilon)), ConfigField("centered", .bool(centered))]
    }
}

/// Gradient descent, with optional momentum and Nesterov momentum (Keras' `SGD`).
///
/// Without momentum: `w -= learningRate * g`. With momentum:
/// `m = momentum * m - learningRate * g`, then `w += m`, or with `nesterov`
/// `w += momentum * m - learningRate * g`.
open class SGD: Optimizer {
    /// In `0...1`; 0 turns momentum off (and creates no slots).
    public var momentum: Float
    public var nesterov: Bool
    /// One per variable when `momentum != 0` (Keras' `momentums`).
    public private(set) var momentums: [Variable] = []

    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false,
                weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        self.momentum = momentum
        self.nesterov = nesterov
        super.init(learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, name: name)
    }

    /// An SGD optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, momentum: Float = 0, nesterov: Bool = false,
                            weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                            globalClipNorm: Float? = nil, name: String? = nil) {
        self.init(learningRate: schedule(step: 0), momentum: momentum, nesterov: nesterov, weightDecay: weightDecay,
                  clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, name: name)
        learningRateSchedule = schedule
    }

    /// The Keras 2 spelling, `SGD(lr=0.05)`: the same as `SGD(learningRate: 0.05)`.
    public convenience init(lr: Float, momentum: Float = 0, nesterov: Bool = false) {
        self.init(learningRate: lr, momentum: momentum, nesterov: nesterov)
    }

    open override func validateHyperparameters() throws {
        try super.validateHyperparameters()
        guard momentum >= 0 && momentum <= 1 else {
            throw KerasError.invalidArgument(name: "momentum", value: "\(momentum)", expected: "a float between [0, 1]")
        }
    }

    open override func build(slotsFor variables: [Variable]) {
        momentums = momentum != 0 ? addSlots(for: variables, name: "momentum") : []
    }

    open override func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        let lr = context.learningRate
        guard !momentums.isEmpty else {
            Optimizer.update(variable, gradient: gradient) { w, g, range in
                for i in range { w[i] = context.decayed(w[i]) - context.clipped(g[i]) * lr }
            }
            return
        }
        let mu = momentum
        if nesterov {
            Optimizer.update(variable, momentums[index], gradient: gradient) { w, m, g, range in
                for i in range {
                    let step = context.clipped(g[i]) * lr
                    let mi = m[i] * mu - step
                    m[i] = mi
                    w[i] = context.decayed(w[i]) + (mi * mu - step)
                }
            }
        } else {
            Optimizer.update(variable, momentums[index], gradient: gradient) { w, m, g, range in
                for i in range {
                    let mi = m[i] * mu - context.clipped(g[i]) * lr
                    m[i] = mi
                    w[i] = context.decayed(w[i]) + mi
                }
            }
        }
    }

    open override var hyperparameterConfig: [ConfigField] {
        [ConfigField("momentum", .float(momentum)), ConfigField("nesterov", .bool(nesterov))]
    }
}

import Foundation

/// A learning rate that changes with the optimizer's step (Keras' `LearningRateSchedule`).
///
/// The optimizer evaluates the schedule at `iterations` before each update, so the first update
/// uses `schedule(step: 0)`. Conform your own types to write a custom schedule; `className` and
/// `config` describe it for saving (`get_config()`).
public protocol LearningRateSchedule: Sendable {
    /// The learning rate at `step`.
    func callAsFunction(step: Int) -> Float
    /// The Keras class name, such as `"ExponentialDecay"`.
    var className: String { get }
    /// The arguments that rebuild the schedule, in Keras' `get_config()` order.
    var config: [ConfigField] { get }
}

extension LearningRateSchedule {
    public var className: String { String(describing: Self.self) }
    public var config: [ConfigField] { [] }

    /// The schedule as Keras serialises it: `{"module", "class_name", "config", "registered_name"}`.
    public var serialized: ConfigValue {
        KerasObject(module: "keras.optimizers.schedules", className: className, config: config).value
    }
}

/// `initialLearningRate * decayRate ^ (step / decaySteps)`; with `staircase`, the exponent is
/// rounded down so the rate drops every `decaySteps` steps.
public struct ExponentialDecay: LearningRateSchedule {
    public var initialLearningRate: Float
    public var decaySteps: Int
    public var decayRate: Float
    public var staircase: Bool
    public var name: String

    /// `decaySteps` must be positive.
    public init(initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false,
                name: String = "ExponentialDecay") {
        precondition(decaySteps > 0, "ExponentialDecay: decaySteps must be > 0, got \(decaySteps)")
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
        self.name = name
    }

    public func callAsFunction(step: Int) -> Float {
        var p = Float(step) / Float(decaySteps)
        if staircase { p = p.rounded(.down) }
        return initialLearningRate * Foundation.pow(decayRate, p)
    }

    public var config: [ConfigField] {
        [.init("initial_learning_rate", .float(initialLearningRate)), .init("decay_steps", .int(decaySteps)),
         .init("decay_rate", .float(decayRate)), .init("staircase", .bool(staircase)), .init("name", .string(name))]
    }
}

/// `values[0]` up to and including step `boundaries[0]`, `values[1]` up to `boundaries[1]`, …,
/// and the last value after the last boundary.
public struct PiecewiseConstantDecay: LearningRateSchedule {
    public var boundaries: [Int]
    public var values: [Float]
    public var name: String

    /// `values` must hold one more element than `boundaries`.
    public init(boundaries: [Int], values: [Float], name: String = "PiecewiseConstant") {
        precondition(!boundaries.isEmpty && boundaries.count == values.count - 1,
                     "PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values. "
                        + "Received: boundaries=\(boundaries) of length \(boundaries.count), "
                        + "and values=\(values) of length \(values.count).")
        self.boundaries = boundaries
        self.values = values
        self.name = name
    }

    public func callAsFunction(step: Int) -> Float {
        for (index, boundary) in boundaries.enumerated() where step <= boundary { return values[index] }
        return values[values.count - 1]
    }

    public var config: [ConfigField] {
        [.init("boundaries", .array(boundaries.map { .int($0) })), .init("values", .array(values.map { .float($0) })),
         .init("name", .string(name))]
    }
}

/// `(initial - end) * (1 - step / decaySteps) ^ power + end`, holding `end` after `decaySteps`;
/// with `cycle`, `decaySteps` grows to the next multiple above `step` instead.
public struct PolynomialDecay: LearningRateSchedule {
    public var initialLearningRate: Float
    public var decaySteps: Int
    public var endLearningRate: Float
    public var power: Float
    public var cycle: Bool
    public var name: String

    public init(initialLearningRate: Float, decaySteps: Int, endLearningRate: Float = 0.0001, power: Float = 1,
                cycle: Bool = false, name: String = "PolynomialDecay") {
        precondition(decaySteps > 0, "PolynomialDecay: decaySteps must be > 0, got \(decaySteps)")
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.endLearningRate = endLearningRate
        self.power = power
        self.cycle = cycle
        self.name = name
    }

    public func callAsFunction(step: Int) -> Float {
        var globalStep = Float(step)
        var steps = Float(decaySteps)
        if cycle {
            let multiplier = globalStep == 0 ? 1 : (globalStep / Float(decaySteps)).rounded(.up)
            steps *= multiplier
        } else {
            globalStep = Swift.min(globalStep, steps)
        }
        let p = globalStep / steps
        return (initialLearningRate - endLearningRate) * Foundation.pow(1 - p, power) + endLearningRate
    }

    public var config: [ConfigField] {
        [.init("initial_learning_rate", .float(initialLearningRate)), .init("decay_steps", .int(decaySteps)),
         .init("end_learning_rate", .float(endLearningRate)), .init("power", .float(power)),
         .init("cycle", .bool(cycle)), .init("name", .string(name))]
    }
}

/// `initialLearningRate / (1 + decayRate * step / decaySteps)`; with `staircase`, the ratio
/// `step / decaySteps` is rounded down.
public struct InverseTimeDecay: LearningRateSchedule {
    public var initialLearningRate: Float
    public var decaySteps: Int
    public var decayRate: Float
    public var staircase: Bool
    public var name: String

    public init(initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false,
                name: String = "InverseTimeDecay") {
        precondition(decaySteps > 0, "InverseTimeDecay: decaySteps must be > 0, got \(decaySteps)")
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
        self.name = name
    }

    public func callAsFunction(step: Int) -> Float {
        var p = Float(step) / Float(decaySteps)
        if staircase { p = p.rounded(.down) }
        return initialLearningRate / (1 + decayRate * p)
    }

    public var config: [ConfigField] {
        [.init("initial_learning_rate", .float(initialLearningRate)), .init("decay_steps", .int(decaySteps)),
         .init("decay_rate", .float(decayRate)), .init("staircase", .bool(staircase)), .init("name", .string(name))]
    }
}

/// Cosine decay from `initialLearningRate` to `alpha * initialLearningRate` over `decaySteps`,
/// optionally after a linear warmup (Keras 3): with `warmupTarget`, the rate rises linearly from
/// `initialLearningRate` to `warmupTarget` over `warmupSteps`, then decays from `warmupTarget`.
public struct CosineDecay: LearningRateSchedule {
    public var initialLearningRate: Float
    public var decaySteps: Int
    public var alpha: Float
    public var name: String
    public var warmupTarget: Float?
    public var warmupSteps: Int

    public init(initialLearningRate: Float, decaySteps: Int, alpha: Float = 0, name: String = "CosineDecay",
                warmupTarget: Float? = nil, warmupSteps: Int = 0) {
        precondition(decaySteps > 0, "CosineDecay: decaySteps must be > 0, got \(decaySteps)")
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.alpha = alpha
        self.name = name
        self.warmupTarget = warmupTarget
        self.warmupSteps = warmupSteps
    }

    private func decayed(_ step: Float, from rate: Float) -> Float {
        let completedFraction = step / Float(decaySteps)
        let cosineDecayed = 0.5 * (1 + Foundation.cos(Float.pi * completedFraction))
        return rate * (Optimizer.oneMinus(alpha) * cosineDecayed + alpha)
    }

    public func callAsFunction(step: Int) -> Float {
        let decaySteps = Float(self.decaySteps)
        guard let warmupTarget else {
            return decayed(Swift.min(Float(step), decaySteps), from: initialLearningRate)
        }
        let warmupSteps = Float(self.warmupSteps)
        let globalStep = Swift.min(Float(step), decaySteps + warmupSteps)
        if globalStep < warmupSteps {
            let completedFraction = globalStep / warmupSteps
            return (warmupTarget - initialLearningRate) * completedFraction + initialLearningRate
        }
        return decayed(globalStep - warmupSteps, from: warmupTarget)
    }

    public var config: [ConfigField] {
        [.init("initial_learning_rate", .float(initialLearningRate)), .init("decay_steps", .int(decaySteps)),
         .init("alpha", .float(alpha)), .init("name", .string(name)), .init("warmup_target", .float(warmupTarget)),
         .init("warmup_steps", .int(warmupSteps))]
    }
}

/// Rebuilding schedules from their Keras configs (`keras.optimizers.schedules.deserialize`).
extension Optimizers {
    /// The schedule that a serialized config (`{"class_name": …, "config": …}`) describes.
    public static func schedule(from serialized: ConfigValue) throws -> any LearningRateSchedule {
        guard let className = serialized["class_name"]?.stringValue else {
            throw KerasError.invalidData("Learning rate schedule config has no class_name: \(serialized.json)")
        }
        let config = serialized["config"] ?? .object([])
        let reader = ConfigReader(config, context: className)
        switch className {
        case "ExponentialDecay":
            return ExponentialDecay(
                initialLearningRate: try reader.float("initial_learning_rate"),
                decaySteps: try reader.positiveInt("decay_steps"), decayRate: try reader.float("decay_rate"),
                staircase: try reader.bool("staircase", default: false),
                name: try reader.string("name", default: "ExponentialDecay"))
        case "PiecewiseConstantDecay":
            let boundaries = try reader.intArray("boundaries")
            let values = try reader.floatArray("values")
            guard !boundaries.isEmpty, boundaries.count == values.count - 1 else {
                throw KerasError.invalidArgument(name: "boundaries", value: "\(boundaries)",
                                                 expected: "one element fewer than values (\(values.count))")
            }
            return PiecewiseConstantDecay(boundaries: boundaries, values: values,
                                          name: try reader.string("name", default: "PiecewiseConstant"))
        case "PolynomialDecay":
            return PolynomialDecay(
                initialLearningRate: try reader.float("initial_learning_rate"),
                decaySteps: try reader.positiveInt("decay_steps"),
                endLearningRate: try reader.float("end_learning_rate", default: 0.0001),
                power: try reader.float("power", default: 1), cycle: try reader.bool("cycle", default: false),
                name: try reader.string("name", default: "PolynomialDecay"))
        case "InverseTimeDecay":
            return InverseTimeDecay(
                initialLearningRate: try reader.float("initial_learning_rate"),
                decaySteps: try reader.positiveInt("decay_steps"), decayRate: try reader.float("decay_rate"),
                staircase: try reader.bool("staircase", default: false),
                name: try reader.string("name", default: "InverseTimeDecay"))
        case "CosineDecay":
            return CosineDecay(
                initialLearningRate: try reader.float("initial_learning_rate"),
                decaySteps: try reader.positiveInt("decay_steps"), alpha: try reader.float("alpha", default: 0),
                name: try reader.string("name", default: "CosineDecay"),
                warmupTarget: try reader.optionalFloat("warmup_target"),
                warmupSteps: try reader.int("warmup_steps", default: 0))
        default:
            throw KerasError.unknownName(
                kind: "learning rate schedule", name: className,
                valid: ["CosineDecay", "ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay", "PolynomialDecay"])
        }
    }
}

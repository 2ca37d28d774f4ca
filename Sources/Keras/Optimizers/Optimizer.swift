import Foundation

/// The base of all optimizers (Keras' `keras.optimizers.Optimizer`): it turns gradients into
/// updates of the variables they belong to.
///
/// An optimizer is a reference type with state: an iteration count, the learning rate, and
/// per-variable slots (Adam's moments, SGD's momentum, …) that it creates on the first
/// `apply(_:to:)` for the variables passed then. Each call then:
/// 1. checks the gradients against the variables (count and shapes),
/// 2. clips the gradients (`clipNorm`, `clipValue` or `globalClipNorm`, as Keras does),
/// 3. applies `weightDecay` (decoupled: `w -= w * weightDecay * learningRate`),
/// 4. runs the update rule, fused into one pass over each variable's scalars,
/// 5. increments `iterations`.
///
/// `variables` lists the optimizer's own state in Keras' saving order: `iteration`, then
/// `learning_rate` (absent when a schedule drives the rate), then the slots in creation order.
///
/// To write an optimizer, subclass and override `build(slotsFor:)`, `updateStep(gradient:variable:index:context:)`
/// and `hyperparameterConfig`.
open class Optimizer {
    /// The optimizer's name, which prefixes its variables' names: `"adam"`, `"adam_1"`, …
    public var name: String
    /// Decoupled weight decay: before each update, `w -= w * weightDecay * learningRate`.
    public var weightDecay: Float?
    /// Clips each gradient so that its L2 norm is at most this value (when > 0).
    public var clipNorm: Float?
    /// Clips each gradient scalar into `-clipValue...clipValue` (when > 0).
    public var clipValue: Float?
    /// Clips all gradients together so that their joint L2 norm is at most this value (when > 0).
    public var globalClipNorm: Float?

    /// The number of updates applied so far (Keras' `iterations`), stored as a float scalar.
    public let iterationsVariable: Variable
    /// The learning rate when no schedule drives it (Keras' `learning_rate` variable).
    public let learningRateVariable: Variable

    /// A schedule that sets the learning rate from `iterations`. Setting one replaces the
    /// constant rate (and drops `learning_rate` from `variables`, as Keras does); setting `nil`
    /// goes back to a constant rate holding the schedule's current value.
    public var learningRateSchedule: (any LearningRateSchedule)? {
        didSet {
            if learningRateSchedule == nil, let oldValue {
                learningRateVariable.assign(Tensor(oldValue(step: iterations)))
            }
        }
    }

    /// Whether the slots exist: after the first `apply` or an explicit `build(_:)`.
    public private(set) var isBuilt = false
    /// The variables the optimizer was built for, in order.
    public private(set) var trainableVariables: [Variable] = []

    private var indexOf: [ObjectIdentifier: Int] = [:]
    private var createdVariables: [Variable] = []
    private var excludedFromWeightDecay: Set<ObjectIdentifier> = []
    private var excludedNamesFromWeightDecay: [String] = []
    private var weightDecayCache: [Bool] = []

    /// Creates an optimizer with a constant learning rate. `name` defaults to the snake-cased
    /// class name made unique (`"sgd"`, `"sgd_1"`, …) as Keras does.
    public init(learningRate: Float, weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, name: String? = nil) {
        let resolvedName = name ?? Optimizers.uniqueName(String(describing: Self.self).snakeCased)
        self.name = resolvedName
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.clipValue = clipValue
        self.globalClipNorm = globalClipNorm
        iterationsVariable = Variable(Tensor(0), name: "\(resolvedName)/iteration", trainable: false)
        learningRateVariable = Variable(Tensor(learningRate), name: "\(resolvedName)/learning_rate", trainable: false)
    }

    /// Creates an optimizer whose learning rate follows `schedule`.
    public convenience init(learningRate schedule: any LearningRateSchedule, weightDecay: Float? = nil,
                            clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil,
                            name: String? = nil) {
        self.init(learningRate: schedule(step: 0), weightDecay: weightDecay, clipNorm: clipNorm, clipValue: clipValue,
                  globalClipNorm: globalClipNorm, name: name)
        learningRateSchedule = schedule
    }

    // MARK: - State

    /// The number of updates applied so far. `iterationsVariable` mirrors it as a float (Keras
    /// saves it as int64); the count itself is an `Int`, so it stays exact past 2^24 steps, and a
    /// value assigned to the variable (when loading saved state) is picked up.
    public var iterations: Int {
        get {
            let stored = iterationsVariable.value.scalar
            if stored != Float(iterationCount) { iterationCount = Int(stored) }
            return iterationCount
        }
        set {
            iterationCount = newValue
            iterationsVariable.assign(Tensor(Float(newValue)))
        }
    }

    private var iterationCount = 0

    /// The learning rate the next update uses: the schedule's value at `iterations`, or the
    /// constant rate. Callbacks such as ReduceLROnPlateau set it.
    ///
    /// Setting it while a schedule drives the rate is a programming error, as in Keras (which
    /// raises a `TypeError`); use `setLearningRate(_:)` to get a thrown error instead.
    public var learningRate: Float {
        get {
            if let learningRateSchedule { return learningRateSchedule(step: iterations) }
            return learningRateVariable.value.scalar
        }
        set {
            do { try setLearningRate(newValue) } catch { preconditionFailure("\(error)") }
        }
    }

    /// Sets the constant learning rate; throws `KerasError.invalidState` when a schedule drives it.
    public func setLearningRate(_ value: Float) throws {
        guard learningRateSchedule == nil else {
            throw KerasError.invalidState(
                "Optimizer '\(name)' was created with a LearningRateSchedule as its learning rate, hence its "
                    + "learning rate is not settable. If you need the learning rate to be settable, create the "
                    + "optimizer with a Float learning rate (or set learningRateSchedule to nil first).")
        }
        try Optimizer.validateLearningRate(value, optimizer: name)
        learningRateVariable.assign(Tensor(value))
    }

    /// The optimizer's state in Keras' saving order (`optimizer/vars/<i>` in `.keras` files):
    /// `iteration`; `learning_rate` unless a schedule drives the rate; then the variables that
    /// `build` created, in creation order (for Adam: each variable's momentum and velocity in
    /// turn, then the AMSGrad maxima). Keras stores `iteration` as int64.
    public var variables: [Variable] {
        var result = [iterationsVariable]
        if learningRateSchedule == nil { result.append(learningRateVariable) }
        result += createdVariables
        return result
    }

    /// The values of `variables` (Keras' `optimizer.variables` as arrays).
    public var weights: [Tensor] { variables.map { $0.value } }

    /// Restores the state saved from `variables`: the optimizer must be built for the same
    /// variables. Throws when the number of values or a shape differs.
    public func setWeights(_ values: [Tensor]) throws {
        let targets = variables
        guard isBuilt else {
            throw KerasError.invalidState(
                "Optimizer '\(name)' is not built yet: call build(_:) with the trainable variables before setWeights(_:).")
        }
        guard values.count == targets.count else {
            throw KerasError.invalidArgument(name: "values", value: "\(values.count) tensors",
                                             expected: "\(targets.count) tensors, one per optimizer variable")
        }
        for (target, value) in zip(targets, values) where target.shape != value.shape {
            throw KerasError.shapeMismatch(context: "Optimizer variable '\(target.name)'",
                                           expected: formatShape(target.shape), got: formatShape(value.shape),
                                           fix: "Load state saved from an optimizer built for the same variables.")
        }
        for (target, value) in zip(targets, values) { target.assign(value) }
    }

    // MARK: - Configuration

    /// The Keras class name (`"Adam"`).
    open var className: String { String(describing: type(of: self)) }

    /// The hyperparameters a subclass adds to Keras' `get_config()`, in Keras' order.
    open var hyperparameterConfig: [ConfigField] { [] }

    /// Keras' `get_config()`: name, learning rate (a float, or the serialized schedule), the
    /// base options, then the subclass's hyperparameters.
    public var config: [ConfigField] {
        let rate: ConfigValue = learningRateSchedule?.serialized ?? .double(Double(learningRateVariable.value.scalar))
        return [
            ConfigField("name", .string(name)),
            ConfigField("learning_rate", rate),
            ConfigField("weight_decay", .float(weightDecay)),
            ConfigField("clipnorm", .float(clipNorm)),
            ConfigField("global_clipnorm", .float(globalClipNorm)),
            ConfigField("clipvalue", .float(clipValue)),
            ConfigField("use_ema", .bool(false)),
            ConfigField("ema_momentum", .double(0.99)),
            ConfigField("ema_overwrite_frequency", .null),
            ConfigField("loss_scale_factor", .null),
            ConfigField("gradient_accumulation_steps", .null),
        ] + hyperparameterConfig
    }

    /// The optimizer as Keras serialises it in `compile_config`:
    /// `{"module": "keras.optimizers", "class_name": …, "config": …, "registered_name": null}`.
    public var serialized: ConfigValue {
        KerasObject(module: "keras.optimizers", className: className, config: config).value
    }

    /// Leaves some variables out of weight decay: those in `variables`, and those whose name
    /// contains one of `names` (Keras matches `names` as regular expressions; here they are plain
    /// substrings). Must be called before the optimizer is built.
    public func excludeFromWeightDecay(variables: [Variable] = [], names: [String] = []) throws {
        guard !isBuilt else {
            throw KerasError.invalidState(
                "excludeFromWeightDecay(variables:names:) can only be configured before the optimizer is built.")
        }
        excludedFromWeightDecay = Set(variables.map(ObjectIdentifier.init))
        excludedNamesFromWeightDecay = names
    }

    /// Throws when the options contradict each other or a hyperparameter is out of range.
    /// Subclasses add their own checks and call `super`.
    open func validateHyperparameters() throws {
        try Optimizer.validateLearningRate(learningRate, optimizer: name)
        let clips = [clipNorm, clipValue, globalClipNorm].filter { $0 != nil }.count
        if clips > 1 {
            throw KerasError.invalidArgument(
                name: "clipNorm/clipValue/globalClipNorm",
                value: "clipNorm=\(clipNorm.map { "\($0)" } ?? "nil"), clipValue=\(clipValue.map { "\($0)" } ?? "nil"), "
                    + "globalClipNorm=\(globalClipNorm.map { "\($0)" } ?? "nil")",
                expected: "only one of clipNorm, clipValue and globalClipNorm to be set")
        }
    }

    // MARK: - Building

    /// Creates the slots for `variables` (Keras' `build`). `apply(_:to:)` calls it on its first
    /// call; call it yourself to restore saved state before training. Does nothing once built.
    public final func build(_ variables: [Variable]) {
        guard !isBuilt else { return }
        trainableVariables = variables
        indexOf = [:]
        for (index, variable) in variables.enumerated() { indexOf[ObjectIdentifier(variable)] = index }
        weightDecayCache = variables.map { variable in
            !excludedFromWeightDecay.contains(ObjectIdentifier(variable))
                && !excludedNamesFromWeightDecay.contains { variable.name.contains($0) }
        }
        build(slotsFor: variables)
        isBuilt = true
    }

    /// Subclasses create their slots here with `addSlots(for:names:initialValue:)` and
    /// `addVariable(_:name:)`; the order of creation is the saving order.
    open func build(slotsFor variables: [Variable]) {}

    /// Adds a variable to the optimizer's state (named `"<optimizer>/<name>"`).
    public func addVariable(_ value: Tensor, name: String) -> Variable {
        let variable = Variable(value, name: "\(self.name)/\(name)", trainable: false)
        createdVariables.append(variable)
        return variable
    }

    /// One slot per variable, shaped like it and filled with `initialValue`, named
    /// `"<optimizer>/<variable>_<name>"` as Keras' `add_variable_from_reference`.
    public func addSlots(for variables: [Variable], name: String, initialValue: Float = 0) -> [Variable] {
        addSlots(for: variables, names: [name], initialValue: initialValue)[0]
    }

    /// Several slots per variable, created interleaved (variable 0's slots, then variable 1's, …)
    /// as Keras' `add_optimizer_variables` with a list of names; returns one list per name.
    public func addSlots(for variables: [Variable], names: [String], initialValue: Float = 0) -> [[Variable]] {
        var result = names.map { _ in [Variable]() }
        for variable in variables {
            let prefix = variable.name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
            for (i, name) in names.enumerated() {
                result[i].append(addVariable(Tensor(repeating: initialValue, shape: variable.shape),
                                             name: "\(prefix)_\(name)"))
            }
        }
        return result
    }

    // MARK: - Applying gradients

    /// What an update step needs besides the gradient and the variable.
    public struct UpdateContext: Sendable {
        /// The learning rate of this update.
        public var learningRate: Float
        /// Keras' `local_step`: `iterations + 1`, the 1-based number of this update.
        public var step: Int
        /// `weightDecay * learningRate` for this variable, or 0 (no decay, or excluded).
        public var decay: Float
        /// The factor clipping by norm multiplies this variable's gradient with (1 when none).
        public var gradientScale: Float
        /// `clipValue` bounds (infinite when none).
        public var clipLower: Float
        public var clipUpper: Float

        /// The gradient scalar after clipping.
        @inlinable @inline(__always)
        public func clipped(_ g: Float) -> Float {
            Swift.min(Swift.max(g * gradientScale, clipLower), clipUpper)
        }

        /// The variable scalar after weight decay.
        @inlinable @inline(__always)
        public func decayed(_ w: Float) -> Float { w - w * decay }
    }

    /// Applies one update: `gradients[i]` is the gradient of the loss with respect to
    /// `variables[i]`. The first call builds the slots for these variables; later calls may
    /// pass any of them, in any order.
    ///
    /// Throws `KerasError` (leaving every variable unchanged) when the counts differ, a gradient's
    /// shape differs from its variable's, a variable is not one the optimizer was built for, or
    /// the hyperparameters are invalid.
    public func apply(_ gradients: [Tensor], to variables: [Variable]) throws {
        try StepProfile.measure(.optimizer) { try applyUpdates(gradients, to: variables) }
    }

    private func applyUpdates(_ gradients: [Tensor], to variables: [Variable]) throws {
        guard gradients.count == variables.count else {
            throw KerasError.invalidArgument(
                name: "gradients", value: "\(gradients.count) tensors",
                expected: "one gradient per variable (\(variables.count) variables: "
                    + variables.map { "'\($0.name)'" }.joined(separator: ", ") + ")")
        }
        if gradients.isEmpty { return }
        try validateHyperparameters()
        for (gradient, variable) in zip(gradients, variables) where gradient.shape != variable.shape {
            throw KerasError.shapeMismatch(
                context: "Optimizer '\(name)': gradient for variable '\(variable.name)'",
                expected: formatShape(variable.shape), got: formatShape(gradient.shape),
                fix: "Pass the gradients in the same order as the variables, one per variable, each shaped like it.")
        }
        if isBuilt {
            for variable in variables where indexOf[ObjectIdentifier(variable)] == nil {
                throw KerasError.invalidArgument(
                    name: "variables", value: "'\(variable.name)' \(formatShape(variable.shape))",
                    expected: "one of the variables optimizer '\(name)' was built with; "
                        + "to train other variables, create a new optimizer")
            }
        } else {
            build(variables)
        }

        let rate = learningRate
        let step = iterations + 1
        let scales = gradientScales(gradients)
        let useClipValue = (clipValue ?? 0) > 0 && scales == nil
        let bound = useClipValue ? clipValue! : Float.infinity
        let decayRate = weightDecay.map { $0 * rate } ?? 0

        prepareUpdate(learningRate: rate, step: step)
        for (position, (gradient, variable)) in zip(gradients, variables).enumerated() {
            let index = indexOf[ObjectIdentifier(variable)]!
            let context = UpdateContext(
                learningRate: rate, step: step,
                decay: weightDecayCache[index] ? decayRate : 0,
                gradientScale: scales?[position] ?? 1,
                clipLower: -bound, clipUpper: bound)
            updateStep(gradient: gradient, variable: variable, index: index, context: context)
        }
        iterations = step
    }

    /// Keras' `apply_gradients(zip(grads, vars))`: `apply` on pairs of gradient and variable.
    public func applyGradients(_ gradientsAndVariables: [(Tensor, Variable)]) throws {
        try apply(gradientsAndVariables.map(\.0), to: gradientsAndVariables.map(\.1))
    }

    /// Called once per `apply`, before the per-variable updates (Nadam updates its running
    /// product of momentum factors here).
    open func prepareUpdate(learningRate: Float, step: Int) {}

    /// Updates `variable` (the `index`-th the optimizer was built with) from `gradient`. The
    /// context carries the learning rate, the step and the clipping and weight decay to apply:
    /// use `context.clipped(g)` on each gradient scalar and `context.decayed(w)` on each
    /// variable scalar before the rule.
    open func updateStep(gradient: Tensor, variable: Variable, index: Int, context: UpdateContext) {
        preconditionFailure("\(className) must override updateStep(gradient:variable:index:context:)")
    }

    /// Per-gradient scale factors for clipping by norm, or `nil` when no norm clipping applies.
    private func gradientScales(_ gradients: [Tensor]) -> [Float]? {
        if let clipNorm, clipNorm > 0 {
            // tf.clip_by_norm: g * clipnorm / max(||g||, clipnorm); a zero norm leaves g alone.
            return gradients.map { gradient in
                let norm = Float(Self.sumOfSquares(gradient).squareRoot())
                return clipNorm / Swift.max(norm, clipNorm)
            }
        }
        if let globalClipNorm, globalClipNorm > 0 {
            let norm = Float(gradients.reduce(0) { $0 + Self.sumOfSquares($1) }.squareRoot())
            // Keras: clip * min(1 / norm, 1 / clip), made NaN by an infinite or NaN norm.
            let scale = globalClipNorm * Swift.min(1 / norm, 1 / globalClipNorm) + (norm - norm)
            return [Float](repeating: scale, count: gradients.count)
        }
        return nil
    }

    private static func sumOfSquares(_ tensor: Tensor) -> Double {
        tensor.withUnsafeBufferPointer { buffer in
            // Eight float lanes per block of 4096 scalars (vectorized, no serial dependency),
            // blocks added up in double: fast, and accurate enough for a norm.
            guard let base = buffer.baseAddress else { return 0 }
            let raw = UnsafeRawPointer(base)
            var total = 0.0
            var start = 0
            while start < buffer.count {
                let end = Swift.min(start + 4096, buffer.count)
                var lanes = SIMD8<Float>()
                var i = start
                while i + 8 <= end {
                    let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    lanes += x * x
                    i += 8
                }
                var block = lanes.sum()
                while i < end {
                    block += base[i] * base[i]
                    i += 1
                }
                total += Double(block)
                start = end
            }
            return total
        }
    }
}

// MARK: - Fused kernels

extension Optimizer {
    /// Below this many scalars an update runs on the calling thread.
    static let parallelThreshold = 1 << 15

    /// Runs `body` over `0..<count` in contiguous chunks, on all cores for large counts.
    @inline(__always)
    static func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
        let threads = Swift.min(Parallel.threadCount, count / (parallelThreshold / 2))
        guard threads > 1 else {
            body(0..<count)
            return
        }
        // Chunks are multiples of 16 scalars so that no two threads share a cache line.
        let size = ((count + threads - 1) / threads + 15) & ~15
        Parallel.perform(threads) { t in
            let start = t * size
            if start < count { body(start..<Swift.min(count, start + size)) }
        }
    }

    /// `1 - x` as Keras computes it for a Python-float hyperparameter (`1 - self.beta_1`): in
    /// double precision from the decimal the user wrote, then rounded to `Float`. `1 - Float(0.999)`
    /// would be off by 5e-5 relative.
    static func oneMinus(_ x: Float) -> Float {
        let decimal = x.isFinite ? Double(x.description) ?? Double(x) : Double(x)
        return Float(1 - decimal)
    }

    /// IEEE square root written so that loops using it vectorize (`sqrtps`). On Linux,
    /// `Float.squareRoot()` compiles to a libm `sqrtf` call (it may set `errno`) unless LLVM can
    /// prove the argument non-negative, and that call stops vectorization; `max(x, 0)` gives the
    /// proof, and the select keeps `sqrt(negative) = NaN`.
    @inline(__always)
    static func squareRoot(_ x: Float) -> Float {
        let root = Swift.max(x, 0).squareRoot()
        return x < 0 ? .nan : root
    }

    typealias MutablePointer = UnsafeMutablePointer<Float>
    typealias Pointer = UnsafePointer<Float>

    /// Calls `body` with the scalars of each of `variables` (mutable, in place) and of `gradient`.
    static func withScalars(of variables: [Variable], gradient: Tensor, _ body: ([MutablePointer], Pointer) -> Void) {
        func nest(_ index: Int, _ pointers: [MutablePointer]) {
            guard index < variables.count else {
                gradient.withUnsafeBufferPointer { body(pointers, $0.baseAddress!) }
                return
            }
            variables[index].update { value in
                value.withUnsafeMutableBufferPointer { nest(index + 1, pointers + [$0.baseAddress!]) }
            }
        }
        nest(0, [])
    }

    /// Calls `body` with the scalars of `variable` (mutable) and `gradient`, chunk by chunk.
    static func update(_ variable: Variable, gradient: Tensor,
                       _ body: (MutablePointer, Pointer, Range<Int>) -> Void) {
        gradient.withUnsafeBufferPointer { g in
            variable.update { w in
                w.withUnsafeMutableBufferPointer { w in
                    forEachChunk(w.count) { body(w.baseAddress!, g.baseAddress!, $0) }
                }
            }
        }
    }

    /// Calls `body` with the scalars of `variable` and one slot (mutable) and `gradient`.
    static func update(_ variable: Variable, _ slot: Variable, gradient: Tensor,
                       _ body: (MutablePointer, MutablePointer, Pointer, Range<Int>) -> Void) {
        slot.update { s in
            s.withUnsafeMutableBufferPointer { s in
                update(variable, gradient: gradient) { w, g, range in body(w, s.baseAddress!, g, range) }
            }
        }
    }

    /// Calls `body` with the scalars of `variable` and two slots (mutable) and `gradient`.
    static func update(_ variable: Variable, _ slot1: Variable, _ slot2: Variable, gradient: Tensor,
                       _ body: (MutablePointer, MutablePointer, MutablePointer, Pointer, Range<Int>) -> Void) {
        slot2.update { s in
            s.withUnsafeMutableBufferPointer { s in
                update(variable, slot1, gradient: gradient) { w, a, g, range in body(w, a, s.baseAddress!, g, range) }
            }
        }
    }

    /// Calls `body` with the scalars of `variable` and three slots (mutable) and `gradient`.
    static func update(_ variable: Variable, _ slot1: Variable, _ slot2: Variable, _ slot3: Variable,
                       gradient: Tensor,
                       _ body: (MutablePointer, MutablePointer, MutablePointer, MutablePointer, Pointer, Range<Int>) -> Void) {
        slot3.update { s in
            s.withUnsafeMutableBufferPointer { s in
                update(variable, slot1, slot2, gradient: gradient) { w, a, b, g, range in
                    body(w, a, b, s.baseAddress!, g, range)
                }
            }
        }
    }
}

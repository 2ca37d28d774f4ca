extension Model {
    /// Trains the model for `epochs` passes over `x` and `y`; returns the `History`.
    ///
    /// - Parameters:
    ///   - validationSplit: the fraction of samples, taken from the end before shuffling, held out for validation.
    ///   - validationData: data to validate on after each epoch; overrides `validationSplit`.
    ///   - shuffle: reshuffle the samples before each epoch.
    ///   - classWeight: a weight per class index, multiplying each sample's loss.
    ///   - verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
    @discardableResult
    public func fit(
        _ x: Tensor, _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, verbose: Int = 1,
        callbacks: [Callback] = [], validationSplit: Float = 0, validationData: (Tensor, Tensor)? = nil,
        shuffle: Bool = true, classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
    ) throws -> History {
        try fit(inputs: [x], targets: [y], epochs: epochs, batchSize: batchSize, verbose: verbose, callbacks: callbacks,
                validationSplit: validationSplit, validationData: validationData.map { ([$0.0], [$0.1]) },
                shuffle: shuffle, classWeight: classWeight, sampleWeight: sampleWeight, initialEpoch: initialEpoch)
    }

    /// Trains a model with several inputs or outputs: one array per input and one per output,
    /// in the order of `inputs` and `outputs`.
    @discardableResult
    public func fit(
        _ x: [Tensor], _ y: [Tensor], epochs: Int = 1, batchSize: Int = 32, verbose: Int = 1,
        callbacks: [Callback] = [], validationSplit: Float = 0, validationData: ([Tensor], [Tensor])? = nil,
        shuffle: Bool = true, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
    ) throws -> History {
        try fit(inputs: x, targets: y, epochs: epochs, batchSize: batchSize, verbose: verbose, callbacks: callbacks,
                validationSplit: validationSplit, validationData: validationData, shuffle: shuffle, classWeight: nil,
                sampleWeight: sampleWeight, initialEpoch: initialEpoch)
    }

    /// Trains a model with several inputs or outputs, the arrays keyed by input and output
    /// name (`inputNames`, `outputNames`).
    @discardableResult
    public func fit(
        _ x: [String: Tensor], _ y: [String: Tensor], epochs: Int = 1, batchSize: Int = 32, verbose: Int = 1,
        callbacks: [Callback] = [], validationSplit: Float = 0, validationData: ([String: Tensor], [String: Tensor])? = nil,
        shuffle: Bool = true, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
    ) throws -> History {
        try fit(inputs: try ordered(x, by: inputNames, what: "input"), targets: try ordered(y, by: outputNames, what: "output"),
                epochs: epochs, batchSize: batchSize, verbose: verbose, callbacks: callbacks, validationSplit: validationSplit,
                validationData: try validationData.map { (try ordered($0.0, by: inputNames, what: "input"), try ordered($0.1, by: outputNames, what: "output")) },
                shuffle: shuffle, classWeight: nil, sampleWeight: sampleWeight, initialEpoch: initialEpoch)
    }

    /// The arrays of a dictionary in the order of `names`; throws naming a missing or unknown key.
    func ordered(_ arrays: [String: Tensor], by names: [String], what: String) throws -> [Tensor] {
        for key in arrays.keys where !names.contains(key) {
            throw KerasError.unknownName(kind: "\(what) of model '\(name)'", name: key, valid: names)
        }
        return try names.map { key in
            guard let array = arrays[key] else {
                throw KerasError.invalidData("No array for \(what) '\(key)' of model '\(name)'; give one for each of \(names.joined(separator: ", ")).")
            }
            return array
        }
    }

    private func fit(
        inputs x: [Tensor], targets y: [Tensor], epochs: Int, batchSize: Int, verbose: Int, callbacks: [Callback],
        validationSplit: Float, validationData: ([Tensor], [Tensor])?, shuffle: Bool, classWeight: [Int: Float]?,
        sampleWeight: Tensor?, initialEpoch: Int
    ) throws -> History {
        _ = try requireCompiled("fit")
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw KerasError.invalidArgument(name: "validationSplit", value: "\(validationSplit)", expected: "a fraction in [0, 1)")
        }
        try prepare(x, y, call: "fit")
        let count = x[0].shape[0]
        try DataChecks.sampleWeight(sampleWeight, samples: count, call: "fit")
        if classWeight != nil && y.count != 1 {
            throw KerasError.invalidArgument(name: "classWeight", value: "\(y.count) outputs", expected: "a model with one output")
        }

        // Validation data: given, or the last fraction of the samples before shuffling.
        var (trainX, trainY, trainWeight) = (x, y, try sampleWeights(y[0], classWeight: classWeight, sampleWeight: sampleWeight))
        var validation = validationData
        if validation == nil && validationSplit > 0 {
            let split = Int(Float(count) * (1 - validationSplit))
            guard split > 0 && split < count else {
                throw KerasError.invalidArgument(name: "validationSplit", value: "\(validationSplit)",
                                                 expected: "a fraction that leaves samples on both sides of \(count)")
            }
            validation = (x.map { $0.slice(axis: 0, split..<count) }, y.map { $0.slice(axis: 0, split..<count) })
            trainX = x.map { $0.slice(axis: 0, 0..<split) }
            trainY = y.map { $0.slice(axis: 0, 0..<split) }
            trainWeight = trainWeight?.slice(axis: 0, 0..<split)
        }
        if let (validationX, validationY) = validation { try prepare(validationX, validationY, call: "fit validationData") }

        return try train(
            TensorBatches(x: trainX, y: trainY, weights: trainWeight, batchSize: batchSize),
            validation: validation.map { TensorBatches(x: $0.0, y: $0.1, weights: nil, batchSize: batchSize) },
            epochs: epochs, verbose: verbose, callbacks: callbacks, shuffle: shuffle, initialEpoch: initialEpoch)
    }

    /// Trains the model on batches from `source` (data larger than memory); returns the `History`.
    ///
    /// The next batch is prepared on a background thread while the current one trains.
    /// `shuffle` reorders the batches each epoch.
    @discardableResult
    public func fit(
        _ source: some BatchSource, epochs: Int = 1, verbose: Int = 1, callbacks: [Callback] = [],
        validationData: (any BatchSource)? = nil, shuffle: Bool = true, initialEpoch: Int = 0
    ) throws -> History {
        _ = try requireCompiled("fit")
        guard source.batchCount > 0 else {
            throw KerasError.invalidData("fit: the batch source has no batches (batchCount is \(source.batchCount)).")
        }
        return try train(SourceBatches(source), validation: validationData.map { SourceBatches($0) },
                         epochs: epochs, verbose: verbose, callbacks: callbacks, shuffle: shuffle, initialEpoch: initialEpoch)
    }

    /// The training loop shared by every form of `fit`.
    private func train(
        _ batches: any BatchPlan, validation: (any BatchPlan)?, epochs: Int, verbose: Int,
        callbacks: [Callback], shuffle: Bool, initialEpoch: Int
    ) throws -> History {
        _ = try requireCompiled("fit")
        guard epochs >= 0, initialEpoch >= 0 else {
            throw KerasError.invalidArgument(name: "epochs", value: "\(epochs)", expected: "a non-negative integer")
        }
        let steps = batches.batchCount
        let history = History()
        self.history = history
        let list = CallbackList(callbacks: [history] + callbacks)
        for callback in list.callbacks {
            callback.model = self
            callback.params = ["epochs": epochs, "steps": steps, "verbose": verbose]
        }
        stopTraining = false

        resumeEpoch = nil
        try list.callEach { try $0.onTrainBegin(logs: [:]) }
        // A callback that restored a backup (BackupAndRestore) says where to continue.
        let firstEpoch = max(initialEpoch, resumeEpoch ?? 0)
        resumeEpoch = nil
        for epoch in firstEpoch..<max(firstEpoch, epochs) {
            try list.callEach { try $0.onEpochBegin(epoch, logs: [:]) }
            if verbose == 1 || verbose == 2 { print("Epoch \(epoch + 1)/\(epochs)") }
            let bar = ProgressBar(target: steps, verbose: verbose)
            resetMetrics()
            batches.startEpoch(shuffled: shuffle)
            var logs: [String: Float] = [:]
            for step in 0..<steps {
                try list.callEach { try $0.onTrainBatchBegin(step, logs: [:]) }
                let batch = try batches.batch(step)
                guard let targets = batch.targets else {
                    throw KerasError.invalidData("fit: batch \(step) has no targets (y); training needs them.")
                }
                if batches.checksEachBatch { try prepare(batch.inputs, targets, call: "fit batch \(step)") }
                logs = try trainStep(batch)
                bar.update(step + 1, values: sortedValues(logs), finalize: false)
                try list.callEach { try $0.onTrainBatchEnd(step, logs: logs) }
                if stopTraining { break }
            }
            batches.endEpoch()
            if let validation {
                let result = try test(validation, callbacks: list)
                for (name, value) in result.values { logs["val_" + name] = value }
            }
            bar.update(steps, values: sortedValues(logs), finalize: true)
            try list.callEach { try $0.onEpochEnd(epoch, logs: logs) }
            if stopTraining { break }
        }
        try list.callEach { try $0.onTrainEnd(logs: history.history.mapValues { $0.last ?? .nan }) }
        return history
    }

    func sortedValues(_ logs: [String: Float]) -> [(String, Float)] {
        logs.keys.sorted().map { ($0, logs[$0]!) }
    }
}

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
        _ = try requireCompiled("fit")
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw KerasError.invalidArgument(name: "validationSplit", value: "\(validationSplit)", expected: "a fraction in [0, 1)")
        }
        try prepare(x, y, call: "fit")
        try DataChecks.sampleWeight(sampleWeight, samples: x.shape[0], call: "fit")

        // Validation data: given, or the last fraction of the samples before shuffling.
        var (trainX, trainY, trainWeight) = (x, y, try sampleWeights(y, classWeight: classWeight, sampleWeight: sampleWeight))
        var validation = validationData
        if validation == nil && validationSplit > 0 {
            let count = x.shape[0]
            let split = Int(Float(count) * (1 - validationSplit))
            guard split > 0 && split < count else {
                throw KerasError.invalidArgument(name: "validationSplit", value: "\(validationSplit)",
                                                 expected: "a fraction that leaves samples on both sides of \(count)")
            }
            validation = (x.slice(axis: 0, split..<count), y.slice(axis: 0, split..<count))
            trainX = x.slice(axis: 0, 0..<split)
            trainY = y.slice(axis: 0, 0..<split)
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
        let (_, loss) = try requireCompiled("fit")
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
        let lossTracker = MeanTracker()

        resumeEpoch = nil
        try list.callEach { try $0.onTrainBegin(logs: [:]) }
        // A callback that restored a backup (BackupAndRestore) says where to continue.
        let firstEpoch = max(initialEpoch, resumeEpoch ?? 0)
        resumeEpoch = nil
        for epoch in firstEpoch..<max(firstEpoch, epochs) {
            try list.callEach { try $0.onEpochBegin(epoch, logs: [:]) }
            if verbose == 1 || verbose == 2 { print("Epoch \(epoch + 1)/\(epochs)") }
            let bar = ProgressBar(target: steps, verbose: verbose)
            lossTracker.reset()
            compiledMetrics?.forEach { $0.reset() }
            batches.startEpoch(shuffled: shuffle)
            var logs: [String: Float] = [:]
            for step in 0..<steps {
                try list.callEach { try $0.onTrainBatchBegin(step, logs: [:]) }
                let batch = try batches.batch(step)
                guard let y = batch.y else {
                    throw KerasError.invalidData("fit: batch \(step) has no targets (y); training needs them.")
                }
                if batches.checksEachBatch { try prepare(batch.x, y, call: "fit batch \(step)") }
                let (batchLoss, predictions) = try trainStep(batch.x, y, sampleWeight: batch.sampleWeight)
                lossTracker.add(batchLoss, weight: Float(batch.x.shape[0]))
                let metrics = try self.metrics(yTrue: y.shape, yPred: predictions.shape, loss: loss)
                for metric in metrics { metric.update(yTrue: y, yPred: predictions, sampleWeight: batch.sampleWeight) }
                logs = currentLogs(loss: lossTracker.value, metrics: metrics)
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

extension Model {
    /// The loss and metrics on `x` and `y`, in batches.
    @discardableResult
    public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 32, verbose: Int = 1,
                         sampleWeight: Tensor? = nil, callbacks: [Callback] = []) throws -> Evaluation {
        try evaluate(inputs: [x], targets: [y], batchSize: batchSize, verbose: verbose, sampleWeight: sampleWeight, callbacks: callbacks)
    }

    /// The loss and metrics of a model with several inputs or outputs, one array per input and
    /// per output, in order.
    @discardableResult
    public func evaluate(_ x: [Tensor], _ y: [Tensor], batchSize: Int = 32, verbose: Int = 1,
                         sampleWeight: Tensor? = nil, callbacks: [Callback] = []) throws -> Evaluation {
        try evaluate(inputs: x, targets: y, batchSize: batchSize, verbose: verbose, sampleWeight: sampleWeight, callbacks: callbacks)
    }

    /// The loss and metrics of a model with several inputs or outputs, the arrays keyed by name.
    @discardableResult
    public func evaluate(_ x: [String: Tensor], _ y: [String: Tensor], batchSize: Int = 32, verbose: Int = 1,
                         sampleWeight: Tensor? = nil, callbacks: [Callback] = []) throws -> Evaluation {
        try evaluate(inputs: try ordered(x, by: inputNames, what: "input"), targets: try ordered(y, by: outputNames, what: "output"),
                     batchSize: batchSize, verbose: verbose, sampleWeight: sampleWeight, callbacks: callbacks)
    }

    private func evaluate(inputs x: [Tensor], targets y: [Tensor], batchSize: Int, verbose: Int,
                          sampleWeight: Tensor?, callbacks: [Callback]) throws -> Evaluation {
        _ = try requireCompiled("evaluate")
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        try prepare(x, y, call: "evaluate")
        try DataChecks.sampleWeight(sampleWeight, samples: x[0].shape[0], call: "evaluate")
        return try evaluate(TensorBatches(x: x, y: y, weights: sampleWeight, batchSize: batchSize), verbose: verbose, callbacks: callbacks)
    }

    /// The loss and metrics on the batches of `source`.
    @discardableResult
    public func evaluate(_ source: some BatchSource, verbose: Int = 1, callbacks: [Callback] = []) throws -> Evaluation {
        try evaluate(SourceBatches(source), verbose: verbose, callbacks: callbacks)
    }

    private func evaluate(_ batches: any BatchPlan, verbose: Int, callbacks: [Callback]) throws -> Evaluation {
        _ = try requireCompiled("evaluate")
        for callback in callbacks {
            callback.model = self
            callback.params = ["steps": batches.batchCount, "verbose": verbose]
        }
        return try test(batches, callbacks: CallbackList(callbacks: callbacks),
                        bar: verbose == 1 ? ProgressBar(target: batches.batchCount, verbose: 1) : nil)
    }

    /// The evaluation loop shared by `evaluate` and the validation in `fit`.
    func test(_ batches: any BatchPlan, callbacks: CallbackList, bar: ProgressBar? = nil) throws -> Evaluation {
        _ = try requireCompiled("evaluate")
        // The compiled metrics are reused: training's values are already in its logs.
        resetMetrics()
        var logs: [String: Float] = [:]
        batches.startEpoch(shuffled: false)
        try callbacks.callEach { try $0.onTestBegin(logs: [:]) }
        for step in 0..<batches.batchCount {
            try callbacks.callEach { try $0.onTestBatchBegin(step, logs: [:]) }
            let batch = try batches.batch(step)
            guard let targets = batch.targets else {
                throw KerasError.invalidData("evaluate: batch \(step) has no targets (y); evaluation needs them.")
            }
            if batches.checksEachBatch { try prepare(batch.inputs, targets, call: "evaluate batch \(step)") }
            logs = try testStep(batch)
            bar?.update(step + 1, values: sortedValues(logs))
            try callbacks.callEach { try $0.onTestBatchEnd(step, logs: logs) }
        }
        batches.endEpoch()
        try callbacks.callEach { try $0.onTestEnd(logs: logs) }
        return Evaluation(values: logs)
    }

    /// The model's outputs for `x`, computed in batches.
    public func predict(_ x: Tensor, batchSize: Int = 32, verbose: Int = 0, callbacks: [Callback] = []) throws -> Tensor {
        try singleOutput(try predict([x], batchSize: batchSize, verbose: verbose, callbacks: callbacks))
    }

    /// The outputs of a model with several inputs or outputs: one array per input in, one per output out.
    public func predict(_ x: [Tensor], batchSize: Int = 32, verbose: Int = 0, callbacks: [Callback] = []) throws -> [Tensor] {
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        try prepare(x, nil, call: "predict")
        return try predict(TensorBatches(x: x, y: nil, weights: nil, batchSize: batchSize), verbose: verbose, callbacks: callbacks)
    }

    /// The outputs of a model with several inputs, the arrays keyed by input name.
    public func predict(_ x: [String: Tensor], batchSize: Int = 32, verbose: Int = 0, callbacks: [Callback] = []) throws -> [Tensor] {
        try predict(try ordered(x, by: inputNames, what: "input"), batchSize: batchSize, verbose: verbose, callbacks: callbacks)
    }

    /// The model's outputs for the batches of `source`, joined in order.
    public func predict(_ source: some BatchSource, verbose: Int = 0, callbacks: [Callback] = []) throws -> Tensor {
        try singleOutput(try predict(SourceBatches(source), verbose: verbose, callbacks: callbacks))
    }

    private func predict(_ batches: any BatchPlan, verbose: Int, callbacks: [Callback]) throws -> [Tensor] {
        let list = CallbackList(callbacks: callbacks)
        let steps = batches.batchCount
        for callback in callbacks {
            callback.model = self
            callback.params = ["steps": steps, "verbose": verbose]
        }
        let bar = verbose == 1 ? ProgressBar(target: steps, verbose: 1) : nil
        batches.startEpoch(shuffled: false)
        try list.callEach { try $0.onPredictBegin(logs: [:]) }
        var outputs: [[Tensor]] = []
        for step in 0..<steps {
            try list.callEach { try $0.onPredictBatchBegin(step, logs: [:]) }
            let batch = try batches.batch(step)
            if batches.checksEachBatch { try prepare(batch.inputs, nil, call: "predict batch \(step)") }
            outputs.append(try predictStep(batch))
            bar?.update(step + 1, values: [])
            try list.callEach { try $0.onPredictBatchEnd(step, logs: [:]) }
        }
        batches.endEpoch()
        try list.callEach { try $0.onPredictEnd(logs: [:]) }
        guard !outputs.isEmpty else { throw KerasError.invalidData("predict: there are no batches to predict.") }
        return outputs.count == 1 ? outputs[0] : outputs[0].indices.map { index in Tensor.concatenate(outputs.map { $0[index] }, axis: 0) }
    }

    /// Class predictions (the seeds' `predict_classes`): for a single sigmoid output, 1 where
    /// the probability exceeds 0.5; otherwise the index of the largest output.
    public func predictClasses(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
        let probabilities = try predict(x, batchSize: batchSize)
        if probabilities.rank >= 2 && probabilities.shape.last! > 1 { return probabilities.argmax(axis: -1) }
        return probabilities .> 0.5
    }

    /// One training step on one batch; returns the batch's loss and metrics.
    @discardableResult
    public func trainOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil, classWeight: [Int: Float]? = nil) throws -> Evaluation {
        _ = try requireCompiled("trainOnBatch")
        try prepare([x], [y], call: "trainOnBatch")
        try DataChecks.sampleWeight(sampleWeight, samples: x.shape[0], call: "trainOnBatch")
        let weight = try sampleWeights(y, classWeight: classWeight, sampleWeight: sampleWeight)
        resetMetrics()
        return Evaluation(values: try trainStep(Batch(x: x, y: y, sampleWeight: weight)))
    }

    /// The loss and metrics on one batch, without training.
    public func testOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> Evaluation {
        try prepare([x], [y], call: "testOnBatch")
        try DataChecks.sampleWeight(sampleWeight, samples: x.shape[0], call: "testOnBatch")
        return try test(TensorBatches(x: [x], y: [y], weights: sampleWeight, batchSize: x.shape[0]), callbacks: CallbackList(callbacks: []))
    }

    /// The model's outputs for one batch.
    public func predictOnBatch(_ x: Tensor) throws -> Tensor {
        try prepare([x], nil, call: "predictOnBatch")
        return try singleOutput(try predictStep(Batch(x: x)))
    }
}

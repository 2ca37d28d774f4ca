import Foundation
import Testing
@testable import Keras

/// Records every hook with its index and the sorted names of its logs.
final class RecordingCallback: Callback {
    struct Event: Equatable, CustomStringConvertible {
        let hook: String
        let index: Int?
        let keys: [String]
        var description: String { "\(hook)\(index.map { "(\($0))" } ?? "")\(keys)" }
    }
    var events: [Event] = []
    /// Called after each event is recorded, to act on the model at a chosen point.
    var action: ((Event, Model?) -> Void)?

    private func record(_ hook: String, _ index: Int?, _ logs: [String: Float]) {
        let event = Event(hook: hook, index: index, keys: logs.keys.sorted())
        events.append(event)
        action?(event, model)
    }

    override func onTrainBegin(logs: [String: Float]) throws { record("train_begin", nil, logs) }
    override func onTrainEnd(logs: [String: Float]) throws { record("train_end", nil, logs) }
    override func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws { record("epoch_begin", epoch, logs) }
    override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws { record("epoch_end", epoch, logs) }
    override func onTrainBatchBegin(_ batch: Int, logs: [String: Float]) throws { record("train_batch_begin", batch, logs) }
    override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws { record("train_batch_end", batch, logs) }
    override func onTestBegin(logs: [String: Float]) throws { record("test_begin", nil, logs) }
    override func onTestEnd(logs: [String: Float]) throws { record("test_end", nil, logs) }
    override func onTestBatchBegin(_ batch: Int, logs: [String: Float]) throws { record("test_batch_begin", batch, logs) }
    override func onTestBatchEnd(_ batch: Int, logs: [String: Float]) throws { record("test_batch_end", batch, logs) }
    override func onPredictBegin(logs: [String: Float]) throws { record("predict_begin", nil, logs) }
    override func onPredictEnd(logs: [String: Float]) throws { record("predict_end", nil, logs) }
    override func onPredictBatchBegin(_ batch: Int, logs: [String: Float]) throws { record("predict_batch_begin", batch, logs) }
    override func onPredictBatchEnd(_ batch: Int, logs: [String: Float]) throws { record("predict_batch_end", batch, logs) }
}

/// A mutable box that escaping closures can share.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

@Suite("Callbacks", .freshLayerNames) struct CallbackTests {
    /// The one-weight model the callback fixtures drive: its weights are set to each epoch's number.
    static func monitorModel(learningRate: Float = 0.1) throws -> Sequential {
        let model = Sequential([Dense(units: 1, inputShape: [1])])
        try model.compile(optimizer: SGD(learningRate: learningRate), loss: "mse", metrics: ["accuracy"])
        return model
    }

    static func classifier(seed: UInt64 = 1) throws -> Sequential {
        let model = Keras.withRandomSeed(seed) { Sequential([Dense(units: 1, activation: .sigmoid, inputShape: [2])]) }
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "binary_crossentropy", metrics: ["accuracy"])
        return model
    }

    static let x = Tensor.randomNormal([8, 2], seed: 31)
    static let y = (x.sum(axis: 1, keepDims: true) .> 0)

    // MARK: History

    @Test func historyRecordsSortedKeysPerEpoch() throws {
        let model = try Self.classifier()
        let history = try Keras.withRandomSeed(4) {
            try model.fit(Self.x, Self.y, epochs: 3, batchSize: 4, verbose: 0, validationData: (Self.x, Self.y))
        }
        #expect(history.keys == ["accuracy", "loss", "val_accuracy", "val_loss"])
        #expect(history.epoch == [0, 1, 2])
        #expect(history.keys.allSatisfy { history[$0].count == 3 })
        #expect(history["missing"].isEmpty)
        #expect(model.history === history)
        // The last validation loss is evaluate's on the same data.
        let evaluation = try model.evaluate(Self.x, Self.y, verbose: 0)
        #expect(abs(evaluation.loss - history["val_loss"][2]) < 1e-6)
        // Starting at initialEpoch numbers the epochs from there.
        let resumed = try Keras.withRandomSeed(4) { try model.fit(Self.x, Self.y, epochs: 3, verbose: 0, initialEpoch: 1) }
        #expect(resumed.epoch == [1, 2])
        #expect(resumed.keys == ["accuracy", "loss"])
    }

    // MARK: EarlyStopping

    static func earlyStopping(_ config: LayerFixtures.MonitorConfig) throws -> EarlyStopping {
        EarlyStopping(monitor: config.monitor, minDelta: config.min_delta ?? 0, patience: config.patience ?? 0,
                      mode: try #require(MonitorMode(rawValue: config.mode ?? "auto")), baseline: config.baseline,
                      restoreBestWeights: config.restore_best_weights ?? false, startFromEpoch: config.start_from_epoch ?? 0)
    }

    @Test func earlyStoppingFixturesArePresent() throws {
        #expect(try LayerFixtures.load().early_stopping.count == 13)
        #expect(try LayerFixtures.load().reduce_lr.count == 6)
    }

    /// Keras' EarlyStopping and this one, fed the same monitored values epoch by epoch, stop at
    /// the same epoch and leave the same epoch's weights (each epoch's weights hold its number).
    @Test(arguments: LayerFixtures.shared?.early_stopping.map(\.id) ?? [])
    func earlyStoppingMatchesKeras(_ id: String) throws {
        let fixture = try #require(try LayerFixtures.load().early_stopping.first { $0.id == id })
        let model = try Self.monitorModel()
        let callback = try Self.earlyStopping(fixture.config)
        callback.model = model
        model.stopTraining = false
        try callback.onTrainBegin(logs: [:])
        var epochsRun = 0, stoppedAt: Int?
        for (epoch, value) in fixture.values.enumerated() {
            try model.setWeights([Tensor.full([1, 1], Float(epoch)), Tensor.full([1], Float(epoch))])
            try callback.onEpochEnd(epoch, logs: [fixture.key: value])
            epochsRun += 1
            if model.stopTraining {
                stoppedAt = epoch
                break
            }
        }
        try callback.onTrainEnd(logs: [:])
        #expect(epochsRun == fixture.epochs_run, "\(id)")
        #expect(stoppedAt == fixture.stopped_at, "\(id)")
        #expect(callback.stoppedEpoch == fixture.stopped_epoch, "\(id)")
        #expect(model.getWeights()[0].scalars == [fixture.weights_epoch], "\(id): weights of the wrong epoch")
    }

    @Test func earlyStoppingInFitWithModeMaxOnAccuracy() throws {
        // A learning rate of 0 keeps the accuracy constant: no improvement after the first epoch.
        let model = Keras.withRandomSeed(2) { Sequential([Dense(units: 1, activation: .sigmoid, inputShape: [2])]) }
        try model.compile(optimizer: SGD(learningRate: 0), loss: "binary_crossentropy", metrics: ["accuracy"])
        let stopper = EarlyStopping(monitor: "accuracy", patience: 2, mode: .max)
        let history = try Keras.withRandomSeed(3) { try model.fit(Self.x, Self.y, epochs: 10, verbose: 0, callbacks: [stopper]) }
        #expect(history["accuracy"].count == 3)
        #expect(stopper.stoppedEpoch == 2)
        #expect(stopper.bestEpoch == 0)
        // Mode auto knows accuracy goes up, and the loss down.
        #expect(try MonitorMode.auto.prefersLarger("val_accuracy"))
        #expect(try MonitorMode.auto.prefersLarger("precision_1"))
        #expect(try !MonitorMode.auto.prefersLarger("val_loss"))
        #expect(try !MonitorMode.auto.prefersLarger("mean_absolute_error"))
    }

    @Test func earlyStoppingRestoresTheBestWeightsAtTheEnd() throws {
        // A learning rate too large for the data: the loss grows from the first epoch on.
        let model = Sequential([Dense(units: 1, inputShape: [2])])
        try model.setWeights([Tensor.zeros([2, 1]), Tensor.zeros([1])])
        try model.compile(optimizer: SGD(learningRate: 3), loss: "mse")
        let y = Self.x.sum(axis: 1, keepDims: true)
        let weightsAfterEpoch = Box<[[Tensor]]>([])
        let recorder = LambdaCallback(onEpochEnd: { _, _ in weightsAfterEpoch.value.append(model.getWeights()) })
        let stopper = EarlyStopping(monitor: "loss", patience: 1, restoreBestWeights: true)
        let history = try model.fit(Self.x, y, epochs: 10, batchSize: 8, verbose: 0, callbacks: [stopper, recorder], shuffle: false)
        #expect(history["loss"].count == 2)
        #expect(history["loss"][1] > history["loss"][0])
        #expect(stopper.stoppedEpoch == 1)
        #expect(model.getWeights() == weightsAfterEpoch.value[0])
    }

    @Test func autoModeRejectsMetricsWithoutADirection() throws {
        // Keras: "isn't able to automatically determine whether that metric should be maximized or minimized".
        let model = try Self.classifier()
        #expect(throws: KerasError.self) {
            try model.fit(Self.x, Self.y, epochs: 2, verbose: 0, callbacks: [EarlyStopping(monitor: "true_positives")])
        }
        #expect(throws: KerasError.self) {
            try model.fit(Self.x, Self.y, epochs: 2, verbose: 0, callbacks: [ReduceLROnPlateau(monitor: "my_metric")])
        }
        try Keras.withRandomSeed(1) {
            _ = try model.fit(Self.x, Self.y, epochs: 2, verbose: 0, callbacks: [EarlyStopping(monitor: "my_metric", mode: .max)])
        }
    }

    // MARK: ReduceLROnPlateau

    /// Keras' ReduceLROnPlateau and this one, fed the same values, set the same learning rates.
    @Test(arguments: LayerFixtures.shared?.reduce_lr.map(\.id) ?? [])
    func reduceLROnPlateauMatchesKeras(_ id: String) throws {
        let fixture = try #require(try LayerFixtures.load().reduce_lr.first { $0.id == id })
        let config = fixture.config
        let model = try Self.monitorModel(learningRate: 0.1)
        let callback = ReduceLROnPlateau(monitor: config.monitor, factor: config.factor ?? 0.1, patience: config.patience ?? 10,
                                         mode: try #require(MonitorMode(rawValue: config.mode ?? "auto")),
                                         minDelta: config.min_delta ?? 1e-4, cooldown: config.cooldown ?? 0,
                                         minLearningRate: config.min_lr ?? 0)
        callback.model = model
        try callback.onTrainBegin(logs: [:])
        var rates: [Float] = []
        for (epoch, value) in fixture.values.enumerated() {
            try callback.onEpochEnd(epoch, logs: [fixture.key: value])
            rates.append(try #require(model.optimizer).learningRate)
        }
        expectClose(rates, fixture.learning_rates.map(Double.init), tolerance: 1e-6, id)
    }

    @Test func reduceLROnPlateauInFit() throws {
        // A tiny learning rate: the loss stays flat, so each epoch after the first reduces the rate.
        let model = Keras.withRandomSeed(2) { Sequential([Dense(units: 1, inputShape: [2])]) }
        try model.compile(optimizer: SGD(learningRate: 1e-8), loss: "mse")
        let reducer = ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1)
        try model.fit(Self.x, Self.y, epochs: 4, verbose: 0, callbacks: [reducer], shuffle: false)
        #expect(abs(try #require(model.optimizer).learningRate - 1.25e-9) < 1e-15)
        // Keras rejects factors of 1 or more.
        #expect(throws: KerasError.self) {
            try model.fit(Self.x, Self.y, epochs: 1, verbose: 0, callbacks: [ReduceLROnPlateau(monitor: "loss", factor: 1)])
        }
    }

    // MARK: LearningRateScheduler, TerminateOnNaN, LambdaCallback

    @Test func learningRateSchedulerSetsTheRateBeforeEachEpoch() throws {
        let model = try Self.classifier()
        let seen = Box<[(Int, Float)]>([]), used = Box<[Float]>([])
        let scheduler = LearningRateScheduler { epoch, rate in
            seen.value.append((epoch, rate))
            return epoch == 0 ? rate : rate / 2
        }
        let recorder = LambdaCallback(onEpochBegin: { _, _ in used.value.append(model.optimizer!.learningRate) })
        try Keras.withRandomSeed(1) { _ = try model.fit(Self.x, Self.y, epochs: 3, verbose: 0, callbacks: [scheduler, recorder]) }
        expectClose(used.value, [0.1, 0.05, 0.025], tolerance: 1e-7, "rates")
        #expect(seen.value.map(\.0) == [0, 1, 2])
        expectClose(seen.value.map(\.1), [0.1, 0.1, 0.05], tolerance: 1e-7, "rates given to the schedule")
        let broken = LearningRateScheduler { _, _ in .nan }
        #expect(throws: KerasError.self) { try model.fit(Self.x, Self.y, epochs: 1, verbose: 0, callbacks: [broken]) }
    }

    @Test func terminateOnNaNStopsOnAnInfiniteLoss() throws {
        // A huge learning rate makes the loss overflow after the first step.
        func divergingModel() throws -> Sequential {
            let model = Keras.withRandomSeed(8) { Sequential([Dense(units: 1, inputShape: [2])]) }
            try model.compile(optimizer: SGD(learningRate: 1e30), loss: "mse")
            return model
        }
        let y = Self.x.sum(axis: 1, keepDims: true)
        let batches = Box(0)
        let counter = LambdaCallback(onBatchEnd: { _, _ in batches.value += 1 })
        let history = try divergingModel().fit(Self.x, y, epochs: 5, batchSize: 2, verbose: 0,
                                               callbacks: [TerminateOnNaN(), counter], shuffle: false)
        #expect(history["loss"].count == 1)
        #expect(!history["loss"][0].isFinite)
        #expect(batches.value < 4)
        // Without it, training runs on.
        let unchecked = try divergingModel().fit(Self.x, y, epochs: 2, batchSize: 2, verbose: 0, shuffle: false)
        #expect(unchecked["loss"].count == 2)
        // With raiseError, fit throws at the bad batch (Keras 3's raise_error=True).
        #expect(throws: KerasError.self) {
            try divergingModel().fit(Self.x, y, epochs: 5, batchSize: 2, verbose: 0,
                                     callbacks: [TerminateOnNaN(raiseError: true)], shuffle: false)
        }
    }

    @Test func lambdaCallbackHooksRunInOrder() throws {
        let model = try Self.classifier()
        let events = Box<[String]>([])
        let lambda = LambdaCallback(
            onEpochBegin: { epoch, _ in events.value.append("epoch_begin \(epoch)") },
            onEpochEnd: { epoch, logs in events.value.append("epoch_end \(epoch) \(logs.keys.sorted())") },
            onBatchBegin: { batch, _ in events.value.append("batch_begin \(batch)") },
            onBatchEnd: { batch, logs in events.value.append("batch_end \(batch) \(logs.keys.sorted())") },
            onTrainBegin: { _ in events.value.append("train_begin") },
            onTrainEnd: { logs in events.value.append("train_end \(logs.keys.sorted())") })
        try Keras.withRandomSeed(1) { _ = try model.fit(Self.x[0..<4], Self.y[0..<4], epochs: 2, batchSize: 2, verbose: 0, callbacks: [lambda]) }
        let keys = "[\"accuracy\", \"loss\"]"
        #expect(events.value == [
            "train_begin",
            "epoch_begin 0", "batch_begin 0", "batch_end 0 \(keys)", "batch_begin 1", "batch_end 1 \(keys)", "epoch_end 0 \(keys)",
            "epoch_begin 1", "batch_begin 0", "batch_end 0 \(keys)", "batch_begin 1", "batch_end 1 \(keys)", "epoch_end 1 \(keys)",
            "train_end \(keys)",
        ])
    }

    // MARK: CSVLogger

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func runLogger(_ path: String, _ epochs: [[String: Float]], append: Bool = false, separator: String = ",") throws -> String {
        let logger = CSVLogger(path, separator: separator, append: append)
        try logger.onTrainBegin(logs: [:])
        for (epoch, logs) in epochs.enumerated() { try logger.onEpochEnd(epoch, logs: logs) }
        try logger.onTrainEnd(logs: [:])
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The same files as Keras' CSVLogger, line endings aside (Python's csv writes "\r\n").
    @Test func csvLoggerWritesKerasFiles() throws {
        let fixture = try LayerFixtures.load().csv_logger
        func unix(_ text: String) -> String { text.replacingOccurrences(of: "\r\n", with: "\n") }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("log.csv").path

        // Without validation metrics, Keras adds val_ columns that read NA.
        #expect(try Self.runLogger(path, fixture.epochs) == unix(fixture.plain))
        #expect(try Self.runLogger(path, fixture.val_epochs, separator: ";") == unix(fixture.with_validation))
        _ = try Self.runLogger(path, fixture.epochs)
        #expect(try Self.runLogger(path, fixture.epochs, append: true) == unix(fixture.appended))
        // Appending to the file Keras wrote (with "\r\n") reads its header too.
        try fixture.plain.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(unix(try Self.runLogger(path, fixture.epochs, append: true)) == unix(fixture.appended))
        // Appending to no file starts one with a header.
        try FileManager.default.removeItem(atPath: path)
        #expect(try Self.runLogger(path, fixture.epochs, append: true) == unix(fixture.plain))
        // Atomic writes leave no temporary files behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["log.csv"])
    }

    @Test func csvLoggerDuringFit() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("training.csv").path
        let model = try Self.classifier()
        let history = try Keras.withRandomSeed(1) {
            try model.fit(Self.x, Self.y, epochs: 3, batchSize: 4, verbose: 0, callbacks: [CSVLogger(path)], validationSplit: 0.25)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "epoch,accuracy,loss,val_accuracy,val_loss")
        #expect(lines.count == 4)
        for (epoch, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",").map(String.init)
            #expect(fields.first == "\(epoch)")
            for (key, field) in zip(["accuracy", "loss", "val_accuracy", "val_loss"], fields.dropFirst()) {
                #expect(Float(field) == history[key][epoch], "\(key) at epoch \(epoch)")
            }
        }
        // A new run truncates the file first, as Keras opens it for writing: no epochs, no rows.
        try model.fit(Self.x, Self.y, epochs: 0, verbose: 0, callbacks: [CSVLogger(path)])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "")
    }

    // MARK: Hook order

    static func hookModelAndData() throws -> (Sequential, Tensor, Tensor, Tensor, Tensor) {
        let x = Tensor.randomNormal([5, 2], seed: 40), validationX = Tensor.randomNormal([3, 2], seed: 41)
        return (try classifier(), x, x.sum(axis: 1, keepDims: true) .> 0, validationX, validationX.sum(axis: 1, keepDims: true) .> 0)
    }

    /// The same hooks, in the same order and with the same indices, as Keras 3's fit, evaluate and
    /// predict (5 samples in batches of 2, 3 validation samples, 2 epochs); and the same log names.
    @Test func hookOrderMatchesKeras() throws {
        let fixture = try LayerFixtures.load().hooks
        let (model, x, y, validationX, validationY) = try Self.hookModelAndData()
        let recorder = RecordingCallback()
        try model.fit(x, y, epochs: 2, batchSize: 2, verbose: 0, callbacks: [recorder],
                      validationData: (validationX, validationY), shuffle: false)
        #expect(recorder.params == ["epochs": 2, "steps": 3, "verbose": 0])
        let fit = recorder.events
        let evaluateRecorder = RecordingCallback(), predictRecorder = RecordingCallback()
        try model.evaluate(x, y, batchSize: 2, verbose: 0, callbacks: [evaluateRecorder])
        _ = try model.predict(x, batchSize: 2, callbacks: [predictRecorder])

        for (name, events) in [("fit", fit), ("evaluate", evaluateRecorder.events), ("predict", predictRecorder.events)] {
            let expected = try #require(fixture[name])
            #expect(events.map(\.hook) == expected.map(\.hook), "\(name)")
            #expect(events.map(\.index) == expected.map(\.index), "\(name)")
            for (event, keras) in zip(events, expected) {
                if event.hook != "predict_batch_end" {
                    // (Keras' predict_batch_end carries the batch's "outputs", a tensor.)
                    #expect(event.keys == keras.keys, "\(name) \(event)")
                }
            }
        }
    }

    @Test func callbacksSeeTheModelTheyRunIn() throws {
        let (model, x, y, _, _) = try Self.hookModelAndData()
        let seen = Box<[Bool]>([])
        let recorder = RecordingCallback()
        recorder.action = { _, current in seen.value.append(current === model) }
        try model.fit(x, y, epochs: 1, batchSize: 5, verbose: 0, callbacks: [recorder])
        #expect(!seen.value.isEmpty && seen.value.allSatisfy { $0 })
    }

    @Test func stopTrainingEndsFitAfterTheCurrentBatchAndEpoch() throws {
        let (model, x, y, _, _) = try Self.hookModelAndData()
        let recorder = RecordingCallback()
        recorder.action = { event, model in
            if event.hook == "train_batch_end" && event.index == 1 { model?.stopTraining = true }
        }
        let history = try model.fit(x, y, epochs: 3, batchSize: 2, verbose: 0, callbacks: [recorder], shuffle: false)
        #expect(recorder.events.map { "\($0.hook) \($0.index.map(String.init) ?? "")" } == [
            "train_begin ", "epoch_begin 0", "train_batch_begin 0", "train_batch_end 0",
            "train_batch_begin 1", "train_batch_end 1", "epoch_end 0", "train_end ",
        ])
        #expect(recorder.events.last?.keys == ["accuracy", "loss"])
        #expect(history["loss"].count == 1)
        #expect(model.stopTraining)
        // The next fit starts afresh.
        let again = try model.fit(x, y, epochs: 2, batchSize: 2, verbose: 0, shuffle: false)
        #expect(again["loss"].count == 2)
        #expect(!model.stopTraining)
        // Set at the end of an epoch, it stops after that epoch.
        let stopper = LambdaCallback(onEpochEnd: { epoch, _ in if epoch == 1 { model.stopTraining = true } })
        #expect(try model.fit(x, y, epochs: 5, verbose: 0, callbacks: [stopper])["loss"].count == 2)
    }
}

import Foundation
import Testing
@testable import Keras

@Suite("Sequential models", .freshLayerNames) struct ModelTests {
    static let xorX: Tensor = [[0, 0], [0, 1], [1, 0], [1, 1]]
    static let xorY: Tensor = [[0], [1], [1], [0]]

    func xorModel() -> Sequential {
        Sequential([Dense(units: 10, inputDim: 2), Activation("tanh"), Dense(units: 1), Activation("sigmoid")])
    }

    @Test func xorSummaryShowsKerasTable() throws {
        Keras.clearSession()
        let model = xorModel()
        try model.build(inputShape: [nil, 2])
        let text = model.summaryText()
        #expect(text.contains("│ dense (Dense)                   │ (None, 10)             │            30 │"))
        #expect(text.contains("│ activation (Activation)         │ (None, 10)             │             0 │"))
        #expect(text.contains("│ dense_1 (Dense)                 │ (None, 1)              │            11 │"))
        #expect(text.contains(" Total params: 41 (164.00 B)\n"))
        #expect(text.contains(" Trainable params: 41 (164.00 B)\n"))
        #expect(text.contains(" Non-trainable params: 0 (0.00 B)\n"))
        #expect(text.hasPrefix("Model: \"sequential\"\n┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳"))
    }

    @Test func unbuiltLayersShowQuestionMarks() {
        Keras.clearSession()
        let model = Sequential([Dense(units: 3), Dense(units: 1)])
        let text = model.summaryText()
        #expect(text.contains("│ dense (Dense)                   │ ?                      │   0 (unbuilt) │"))
        #expect(text.contains(" Total params: 0 (0.00 B)"))
    }

    @Test func mnistSizedSummaryCountsBytes() throws {
        Keras.clearSession()
        let model = Sequential([Dense(units: 512, activation: .relu, inputShape: [784]), Dropout(0.2), Dense(units: 10, activation: .softmax)])
        try model.build(inputShape: [nil, 784])
        let text = model.summaryText()
        #expect(text.contains("│       401,920 │"))
        #expect(text.contains(" Total params: 407,050 (1.55 MB)"))
        #expect(model.countParams() == 407_050)
    }

    @Test func xorReachesFullAccuracy() throws {
        let model = Keras.withRandomSeed(3) { xorModel() }
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "binary_crossentropy", metrics: ["accuracy"])
        let history = try Keras.withRandomSeed(3) { try model.fit(Self.xorX, Self.xorY, epochs: 1000, verbose: 0) }
        #expect(history.keys == ["accuracy", "loss"])
        #expect(history["loss"].count == 1000)
        #expect(history["loss"].last! < history["loss"].first!)
        let result = try model.evaluate(Self.xorX, Self.xorY, verbose: 0)
        #expect(result.accuracy == 1)
        #expect(try model.predictClasses(Self.xorX) == Self.xorY)
        #expect(try model.predictClasses(Self.xorX).description == "[[0]\n [1]\n [1]\n [0]]", "classes print as integers, as Keras returns them")
    }

    @Test func fitWithValidationSplitUsesTheLastRows() throws {
        Keras.setRandomSeed(1)
        let x = Tensor.randomUniform([50, 3], seed: 1)
        let y = (x.sum(axis: 1, keepDims: true) .> 1.5)
        let model = Sequential([Dense(units: 4, activation: .relu, inputDim: 3), Dense(units: 1, activation: .sigmoid)])
        try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
        let history = try model.fit(x, y, epochs: 3, batchSize: 8, verbose: 0, validationSplit: 0.2)
        #expect(history.keys == ["accuracy", "loss", "val_accuracy", "val_loss"])
        // The validation loss is the loss on the last 10 rows, unaffected by shuffling.
        let validation = try model.evaluate(x[40..<50], y[40..<50], verbose: 0)
        #expect(Swift.abs(validation.loss - history["val_loss"].last!) < 1e-5)
    }

    @Test func sameSeedRepeatsTraining() throws {
        // Scoped, so tests running in parallel cannot draw from the same generator meanwhile.
        func train() throws -> [Float] { try Keras.withRandomSeed(42) { try trainOnce() } }
        func trainOnce() throws -> [Float] {
            let x = Tensor.randomUniform([64, 4], seed: 9)
            let y = x.sum(axis: 1, keepDims: true)
            let model = Sequential([Dense(units: 8, activation: .relu, inputDim: 4), Dropout(0.3), Dense(units: 1)])
            try model.compile(optimizer: "adam", loss: "mse")
            try model.fit(x, y, epochs: 2, batchSize: 16, verbose: 0)
            return model.getWeights().flatMap(\.scalars)
        }
        #expect(try train() == train())
    }

    @Test func customLoopWithTapeMatchesFit() throws {
        Keras.setRandomSeed(5)
        let x = Tensor.randomUniform([16, 2], seed: 2)
        let y = x.sum(axis: 1, keepDims: true)
        let model = Sequential([Dense(units: 1, inputDim: 2)])
        try model.build(inputShape: [nil, 2])
        let optimizer = SGD(learningRate: 0.1)
        let loss = Losses.MeanSquaredError()
        let before = loss(y, try model(x)).scalar
        for _ in 0..<20 {
            let tape = GradientTape()
            let value = try tape.record { loss(y, try model(x, training: true)) }
            try optimizer.apply(tape.gradient(of: value, wrt: model.trainableWeights), to: model.trainableWeights)
        }
        #expect(loss(y, try model(x)).scalar < before / 2)
    }

    @Test func userMistakesThrowClearErrors() throws {
        let model = Sequential([Dense(units: 2, inputDim: 3)])
        let x = Tensor.zeros([4, 3]), y = Tensor.zeros([4, 2])
        #expect(throws: KerasError.self) { try model.fit(x, y, verbose: 0) }   // not compiled
        try model.compile(optimizer: "sgd", loss: "mse")
        #expect(throws: KerasError.self) { try model.fit(Tensor.zeros([4, 5]), y, verbose: 0) }   // wrong width
        #expect(throws: KerasError.self) { try model.fit(x, Tensor.zeros([3, 2]), verbose: 0) }  // sample counts
        #expect(throws: KerasError.self) { try model.fit(x, y, batchSize: 0, verbose: 0) }
        #expect(throws: KerasError.self) { try model.fit(x, Tensor.zeros([4, 7]), verbose: 0) }  // labels vs loss
        var bad = x
        bad.withUnsafeMutableBufferPointer { $0[0] = .nan }
        #expect(throws: KerasError.self) { try model.fit(bad, y, verbose: 0) }
        #expect(throws: KerasError.self) { try model.compile(optimizer: "adamm", loss: "mse") }
        #expect(throws: KerasError.self) { try model.compile(optimizer: "adam", loss: "msee") }
        #expect(throws: KerasError.self) { try Sequential([Dense(units: 1, activation: "sigmod", inputDim: 1)]).build(inputShape: [nil, 1]) }
        do {
            try model.compile(optimizer: "adamm", loss: "mse")
        } catch let error as KerasError {
            #expect(error.description.contains("adam"))
        }
    }

    @Test func layersAreNamedLikeKeras() {
        Keras.clearSession()
        let layers = [Dense(units: 1), Dense(units: 1), Dropout(0.1), Activation(.relu), Dense(units: 1)]
        #expect(layers.map(\.name) == ["dense", "dense_1", "dropout", "activation", "dense_2"])
    }

    @Test func weightsAreNamedAndInitialisedLikeKeras() throws {
        Keras.clearSession()
        let dense = Dense(units: 3, inputDim: 4)
        _ = try dense(Tensor.zeros([1, 4]))
        #expect(dense.weights.map(\.name) == ["dense/kernel", "dense/bias"])
        #expect(dense.bias!.value == Tensor.zeros([3]))
        let limit = (6.0 / 7.0).squareRoot()
        #expect(dense.kernel!.value.scalars.allSatisfy { Swift.abs($0) <= Float(limit) })
    }

    @Test func dropoutOnlyActsWhileTraining() throws {
        let dropout = Dropout(0.5, seed: 1)
        let x = Tensor.ones([100, 10])
        #expect(try dropout(x) == x)
        let dropped = try dropout(x, training: true)
        let zeros = dropped.scalars.filter { $0 == 0 }.count
        #expect(zeros > 350 && zeros < 650)
        #expect(dropped.scalars.allSatisfy { $0 == 0 || $0 == 2 })
    }

    @Test func earlyStoppingStopsAndRestores() throws {
        Keras.setRandomSeed(0)
        let x = Tensor.randomUniform([32, 2], seed: 3)
        let y = x.sum(axis: 1, keepDims: true)
        let model = Sequential([Dense(units: 1, inputDim: 2)])
        try model.compile(optimizer: SGD(learningRate: 0), loss: "mse")
        let stopper = EarlyStopping(monitor: "loss", patience: 2)
        let history = try model.fit(x, y, epochs: 50, verbose: 0, callbacks: [stopper], shuffle: false)
        #expect(history["loss"].count == 3)
        #expect(stopper.stoppedEpoch == 2)
    }

    @Test func progressBarMatchesKerasFormat() {
        var lines: [String] = []
        let bar = ProgressBar(target: 469, verbose: 1, isTerminal: false) { lines.append($0) }
        bar.update(469, values: [("accuracy", 0.91894), ("loss", 0.28)])
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("469/469 ━━━━━━━━━━━━━━━━━━━━ 0s "))
        #expect(lines[0].hasSuffix("/step - accuracy: 0.9189 - loss: 0.2800\n"))
        var verbose2: [String] = []
        let two = ProgressBar(target: 8, verbose: 2, isTerminal: false) { verbose2.append($0) }
        two.update(8, values: [("accuracy", 0.126), ("loss", 2.3298)])
        #expect(verbose2.count == 1 && verbose2[0].hasPrefix("8/8 - 0s - ") && verbose2[0].hasSuffix("/step - accuracy: 0.1260 - loss: 2.3298\n"))
        #expect(ProgressBar.formatValue(0.0005) == "5.0000e-04")
    }
}

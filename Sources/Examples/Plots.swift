import Foundation
import Keras
import KerasPlot

/// Every picture the seeds draw, written as SVG (and the digit grid as PNG too) into a folder:
/// `swift run -c release examples plots [folder]` (default `plots/`).
enum PlotsExample {
    static func run() throws {
        let folder = URL(fileURLWithPath: CommandLine.arguments.dropFirst(2).first ?? "plots", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func save(_ figure: any Figure, _ name: String) throws {
            let url = folder.appendingPathComponent(name)
            try figure.write(to: url)
            print("wrote \(url.path)")
        }
        Keras.setRandomSeed(0)
        try timings(save)

        // Seed 000: the beans, one feature — data and the trained neuron's curve.
        let (x1, y1) = Beans.oneFeature(count: 100)
        let curveModel = Sequential([Dense(units: 2, activation: "sigmoid", inputDim: 1), Dense(units: 1, activation: "sigmoid")])
        try curveModel.compile(optimizer: SGD(learningRate: 0.5), loss: "mean_squared_error", metrics: ["accuracy"])
        let beansHistory = try curveModel.fit(x1, y1, epochs: 400, batchSize: 10, verbose: 0)
        try save(Plot.predictionCurve(curveModel, x: x1, y: y1, title: "Beans: toxicity by size", xLabel: "bean size",
                                      yLabel: "toxicity"), "beans-curve.svg")
        try save(Plot.history(beansHistory, title: "Beans model training"), "beans-history.svg")

        // Seed 000: two features — the prediction surface in 3-D and as a map with its decision boundary.
        let (x2, y2) = Beans.twoFeatures(count: 100)
        let surfaceModel = Sequential([Dense(units: 2, activation: "sigmoid", inputDim: 2), Dense(units: 1, activation: "sigmoid")])
        try surfaceModel.compile(optimizer: SGD(learningRate: 0.5), loss: "mean_squared_error", metrics: ["accuracy"])
        try surfaceModel.fit(x2, y2, epochs: 400, batchSize: 10, verbose: 0)
        try save(Plot.predictionSurface(surfaceModel, x: x2, y: y2, title: "Beans: toxicity by size and colour",
                                        xLabels: ("size", "colour")), "beans-surface.svg")
        try save(Plot.decisionMap(surfaceModel, x: x2, y: y2, title: "Beans: decision boundary", xLabels: ("size", "colour")),
                 "beans-decision-map.svg")

        // Seed 001: an untrained linear unit's line, its weight and bias in the title.
        let unit = Sequential([Dense(units: 1, inputShape: [1])])
        let inputs = Tensor.linspace(-1, 1, count: 101).reshaped(to: [101, 1])
        let outputs = try unit.predict(inputs)
        let (w, b) = (unit.weights[0].value[0, 0].scalar, unit.weights[1].value[0].scalar)
        var line = Chart(title: String(format: "Weight: %.2f, bias: %.2f", w, b), xLabel: "Input: x", yLabel: "Target: y",
                         series: [.line(x: inputs.scalars.map(Double.init), y: outputs.scalars.map(Double.init), color: .black)])
        (line.xDomain, line.yDomain) = (-1...1, -1...1)
        try save(line, "linear-unit.svg")

        // Seed 002: the first 20 training digits with their labels, a trained MLP's loss and
        // accuracy, one test image with its predicted class probabilities, the confusion matrix.
        let mnist = try? Datasets.mnist()
        guard let data = mnist ?? (try? Datasets.fashionMNIST()) else {
            print("No MNIST or Fashion-MNIST found (see `examples mnist`); skipping the image plots.")
            return
        }
        let fashion = mnist == nil
        let names = fashion ? ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
            : (0..<10).map(String.init)
        let ((xTrain, yTrain), (xTest, yTest)) = data
        let first = xTrain[0..<20]
        let labels = yTrain[0..<20].scalars.map { names[Int($0)] }
        let digits = try Plot.images(first, labels: labels, columns: 10, title: fashion ? "Fashion-MNIST: the first 20 images" : "MNIST: the first 20 images")
        try save(digits, "mnist-first-20.svg")
        try save(digits, "mnist-first-20.png")

        let train = xTrain[0..<12000].reshaped(to: [12000, 784]) / 255, test = xTest.reshaped(to: [xTest.shape[0], 784]) / 255
        let model = Sequential([Dense(units: 128, activation: .relu, inputShape: [784]), Dropout(0.2), Dense(units: 10, activation: .softmax)])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        let report = HTMLReport(path: folder.appendingPathComponent("mnist-training.html").path, title: "MLP training")
        let history = try model.fit(train, try toCategorical(yTrain[0..<12000], numClasses: 10), epochs: 8, batchSize: 128, verbose: 0,
                                    callbacks: [report, TensorBoard(logDir: folder.appendingPathComponent("logs").path, histogramFreq: 1)],
                                    validationData: (test, try toCategorical(yTest, numClasses: 10)))
        print("wrote \(report.url.path) and TensorBoard logs in \(folder.appendingPathComponent("logs").path)")
        try save(Plot.history(history, title: "MLP on \(fashion ? "Fashion-MNIST" : "MNIST") (12 000 training images)"), "mnist-history.svg")
        let probabilities = try model.predict(test)
        try save(Plot.prediction(image: xTest[9], probabilities: probabilities[9], classNames: names, trueClass: Int(yTest[9].scalar)),
                 "mnist-prediction.svg")
        try save(Plot.confusionMatrix(yTrue: yTest, yPred: probabilities, classNames: names), "mnist-confusion.svg")
    }

    /// The speed check of the issue: 10 000 points and a 60-epoch history, timed and written.
    static func timings(_ save: (any Figure, String) throws -> Void) throws {
        var generator = RandomGenerator(seed: 1)
        let x = (0..<10_000).map { _ in Double(generator.nextUniform()) * 4 - 2 }
        let y = x.map { sin(2 * $0) + Double(generator.nextUniform() - 0.5) * 0.6 }
        let scatter = Chart(title: "10 000 points", xLabel: "x", yLabel: "y",
                            series: [.scatter(x: x, y: y, label: "samples"), .line(x: x.sorted(), y: x.sorted().map { sin(2 * $0) }, label: "sin 2x")])
        var values: [String: [Float]] = [:]
        for epoch in 0..<60 {
            let t = Float(epoch)
            values["loss", default: []].append(1.2 * exp(-t / 12) + 0.2 + 0.02 * generator.nextUniform())
            values["val_loss", default: []].append(1.2 * exp(-t / 14) + 0.28 + t * 0.002 + 0.03 * generator.nextUniform())
            values["accuracy", default: []].append(0.97 - 0.6 * exp(-t / 10) + 0.01 * generator.nextUniform())
            values["val_accuracy", default: []].append(0.94 - 0.6 * exp(-t / 11) + 0.015 * generator.nextUniform())
        }
        let curves = Plot.history(values, title: "60 epochs")
        for (figure, name) in [(scatter as any Figure, "scatter-10k.svg"), (curves, "history-60-epochs.svg")] {
            let start = Date()
            let svg = figure.svg()
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "%@: %.1f ms, %d bytes", name, seconds * 1000, svg.utf8.count))
            try save(figure, name)
        }
    }
}

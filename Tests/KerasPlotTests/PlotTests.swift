import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Keras
@testable import KerasPlot

/// Parses an SVG document with Foundation's XMLParser: well-formedness, and every element's
/// attributes in document order.
final class SVGDocument: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var currentText: String?

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw KerasError.invalidData("SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        if name == "text" { currentText = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText? += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let text = currentText { texts.append(text); currentText = nil }
    }

    func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }

    /// The points of a path's `M x y h0` dots.
    static func dotCentres(_ d: String) -> [(Double, Double)] {
        d.split(separator: "M").map { part in
            let numbers = part.replacingOccurrences(of: "h0", with: "").split(separator: " ").compactMap { Double($0) }
            return (numbers[0], numbers[1])
        }
    }
}

@Suite("KerasPlot")
struct PlotTests {
    // MARK: Ticks

    @Test func ticksAreRoundAndInsideTheDomain() {
        #expect(Ticks(domain: 0...1, count: 5).values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks(domain: 0...1, count: 5).labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(Ticks(domain: -0.03...0.27, count: 5).values.map { ($0 * 100).rounded() } == [0, 5, 10, 15, 20, 25])
        #expect(Ticks(domain: 0.5...8.5, count: 4).values == [2, 4, 6, 8])
        #expect(Ticks(domain: 1...400, count: 4).values == [100, 200, 300, 400])
        #expect(Ticks(domain: 0.6...8.4, count: 20, integers: true).values == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Ticks(domain: -1...1, count: 4).labels == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        #expect(Ticks(domain: 0...3e6, count: 3).labels == ["0", "1e+06", "2e+06", "3e+06"])
        let odd = Ticks(domain: 0.137...0.912, count: 6)
        #expect(odd.values.allSatisfy { (0.137...0.912).contains($0) })
        #expect(odd.step == 0.1)
    }

    // MARK: SVG

    @Test func chartMapsDataToTheFrame() throws {
        var chart = Chart(title: "Known points", xLabel: "x", yLabel: "y",
                          series: [.scatter(x: [0, 1, 0.25], y: [0, 1, 0.5], label: "points")])
        (chart.xDomain, chart.yDomain) = (0...1, 0...1)
        let svg = chart.svg()
        let document = try SVGDocument(svg)
        let frame = chart.frame(yTickLabels: Ticks(domain: 0...1, count: Int(chart.height / 60)).labels, fontSize: 12)
        // The data's dots: the path with round caps and the dot colour, not the legend's single dot.
        let dotPaths = document.all("path").filter { $0["stroke-linecap"] == "round" && $0["fill"] == "none" && $0["stroke-width"] == "5" }
        let centres = SVGDocument.dotCentres(try #require(dotPaths.first?["d"]))
        #expect(centres.count == 3)
        func near(_ a: (Double, Double), _ b: (Double, Double)) -> Bool { abs(a.0 - b.0) <= 0.051 && abs(a.1 - b.1) <= 0.051 }
        #expect(near(centres[0], (frame.left, frame.bottom)))
        #expect(near(centres[1], (frame.right, frame.top)))
        #expect(near(centres[2], (frame.left + frame.width / 4, frame.top + frame.height / 2)))
        #expect(document.texts.contains("Known points"))
        #expect(document.texts.contains("0.4"))
        #expect(document.texts.contains("points"))
        let root = try #require(document.elements.first)
        #expect(root.name == "svg" && root.attributes["width"] == "480" && root.attributes["height"] == "320")
    }

    @Test func textIsEscaped() throws {
        let chart = Chart(title: "a < b & \"c\"", series: [.line(x: [0, 1], y: [1, 2], label: "<loss>")])
        let document = try SVGDocument(chart.svg())
        #expect(document.texts.contains("a < b & \"c\""))
        #expect(document.texts.contains("<loss>"))
    }

    @Test func numbersAreCompact() {
        var canvas = Canvas(style: .standard)
        for value in [0, 12, -3.5, 0.04, 0.05, 1234.56, -0.04, .nan] { canvas.number(value); canvas.raw(" ") }
        #expect(String(decoding: canvas.bytes, as: UTF8.self) == "0 12 -3.5 0 0.1 1234.6 0 0 ")
    }

    @Test func historyHasOneChartPerMetricWithTrainingAndValidation() throws {
        let values: [String: [Float]] = ["loss": [0.9, 0.5, 0.3], "val_loss": [1, 0.6, 0.45],
                                         "accuracy": [0.5, 0.7, 0.9], "val_accuracy": [0.4, 0.6, 0.8]]
        let grid = Plot.history(values)
        #expect(grid.figures.count == 2)
        let charts = grid.figures.compactMap { $0 as? Chart }
        #expect(charts.map(\.title) == ["Loss", "Accuracy"])
        #expect(charts[0].series.map(\.label) == ["training", "validation"])
        #expect(charts[0].series[1].y == [1, 0.6, 0.45].map { Double(Float($0)) })
        #expect(charts[0].series[0].x == [1, 2, 3])
        #expect(charts[0].series[1].dashed && !charts[0].series[0].dashed)
        let document = try SVGDocument(grid.svg())
        #expect(document.texts.contains("Epoch"))
        #expect(document.texts.contains("validation"))
    }

    @Test func historyFromFit() throws {
        try Keras.withRandomSeed(1) {
            let model = Sequential([Dense(units: 1, activation: "sigmoid", inputDim: 2)])
            try model.compile(optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy"])
            let x = Tensor(shape: [8, 2], scalars: (0..<16).map { Float($0 % 5) / 4 })
            let y = Tensor(shape: [8, 1], scalars: (0..<8).map { Float($0 % 2) })
            let history = try model.fit(x, y, epochs: 3, batchSize: 4, verbose: 0, validationSplit: 0.25)
            let charts = Plot.history(history).figures.compactMap { $0 as? Chart }
            #expect(charts.map(\.title) == ["Loss", "Accuracy"])
            #expect(charts[0].series[0].y == history["loss"].map(Double.init))
            #expect(charts[1].series[1].y == history["val_accuracy"].map(Double.init))
        }
    }

    @Test func tenThousandPointsWriteQuicklyAndCompactly() throws {
        var generator = RandomGenerator(seed: 3)
        let x = (0..<10_000).map { _ in Double(generator.nextUniform()) }
        let y = x.map { $0 * $0 + Double(generator.nextUniform()) * 0.1 }
        let chart = Chart(title: "10 000 points", series: [.scatter(x: x, y: y, label: "samples"), .line(x: x.sorted(), y: x.sorted().map { $0 * $0 })])
        let start = Date()
        let bytes = chart.svgBytes(style: .standard)
        let seconds = Date().timeIntervalSince(start)
        #expect(bytes.count < 400_000, "\(bytes.count) bytes")
        #expect(seconds < 2, "\(seconds) s")  // well under 0.1 s in a release build
        _ = try SVGDocument(String(decoding: bytes, as: UTF8.self))
    }

    // MARK: Prediction plots

    @Test func predictionCurveSamplesTheModelOverTheInputRange() throws {
        let x = Tensor(shape: [4, 1], scalars: [0.2, 0.4, 0.6, 1.0]), y = Tensor(shape: [4, 1], scalars: [0, 0, 1, 1])
        let chart = try Plot.predictionCurve({ $0 * 2 - 0.5 }, x: x, y: y, samples: 5)
        #expect(chart.series[0].x == [0.2, 0.4, 0.6, 1.0].map { Double(Float($0)) })
        let curve = chart.series[1]
        #expect(curve.x.count == 5 && abs(curve.x[0] - 0.2) < 1e-6 && abs(curve.x[4] - 1) < 1e-6)
        for (u, v) in zip(curve.x, curve.y) { #expect(abs(v - (2 * u - 0.5)) < 1e-5) }
        #expect(throws: KerasError.self) { try Plot.predictionCurve({ $0 }, x: Tensor(shape: [2, 2], scalars: [0, 0, 0, 0]), y: y) }
    }

    @Test func decisionMapDrawsTheHalfContour() throws {
        // p = x₁: the 0.5 boundary is the vertical line x₁ = 0.5.
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 1, 1, 0, 1, 1, 0]), y = Tensor(shape: [4, 1], scalars: [0, 1, 0, 1])
        let chart = try Plot.decisionMap({ $0.slice(axis: 1, 0..<1) }, x: x, y: y, resolution: 11)
        let lines = Contour.lines(chart.heatMap!.values, columns: 11, rows: 11, level: 0.5)
        #expect(lines.count == 1)
        #expect(lines[0].count == 11)
        #expect(lines[0].allSatisfy { abs($0.0 - 5) < 1e-9 })
        let document = try SVGDocument(chart.svg())
        #expect(document.all("image").count == 1)
        #expect(document.all("path").contains { $0["stroke-dasharray"] == "8 5" })
    }

    @Test func contourHandlesSaddles() {
        let segments = Contour.segments([1, 0, 0, 1], columns: 2, rows: 2, level: 0.5)
        #expect(segments.count == 2)
    }

    @Test func surfaceDrawsEveryCellAndPoint() throws {
        let x = Tensor(shape: [3, 2], scalars: [0, 0, 1, 0, 0, 1]), y = Tensor(shape: [3, 1], scalars: [0, 1, 1])
        let plot = try Plot.predictionSurface({ ($0.slice(axis: 1, 0..<1) + $0.slice(axis: 1, 1..<2)) / 2 }, x: x, y: y, resolution: 6)
        #expect(plot.values.count == 36)
        #expect(abs(plot.values[35] - 1) < 1e-6 && abs(plot.values[0]) < 1e-6)
        let document = try SVGDocument(plot.svg())
        // 25 cells plus the three back panes are closed polygons.
        #expect(document.all("path").filter { $0["d"]?.hasSuffix("Z") == true }.count == 25 + 3)
    }

    // MARK: Images

    @Test func imageGridEmbedsPNGsAndWritesAMosaic() throws {
        // Two 2×3 grey images: 0...255 values (so the range is 0...255).
        let pixels: [Float] = [0, 255, 128, 64, 32, 16, 255, 255, 255, 0, 0, 0]
        let grid = try ImageGrid(Tensor(shape: [2, 2, 3], scalars: pixels), captions: ["a", "b"], columns: 2)
        #expect(grid.images[0].pixels == [0, 255, 128, 64, 32, 16])
        let document = try SVGDocument(grid.svg())
        let images = document.all("image")
        #expect(images.count == 2)
        let href = try #require(images[1]["xlink:href"])
        let png = try #require(Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count))))
        #expect(try PNG.decode([UInt8](png)) == grid.images[1])
        #expect(document.texts.contains("b"))

        let mosaic = grid.raster()
        #expect(mosaic.width == 2 + 2 * (3 + 2) && mosaic.height == 2 + 2 + 2)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(mosaic.pixels[((y * mosaic.width + x) * 3)..<((y * mosaic.width + x) * 3 + 3)]) }
        #expect(pixel(0, 0) == [255, 255, 255])
        #expect(pixel(2, 2) == [0, 0, 0] && pixel(3, 2) == [255, 255, 255] && pixel(4, 3) == [16, 16, 16])
        #expect(pixel(7, 3) == [0, 0, 0])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keras-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try grid.write(to: folder.appendingPathComponent("grid.png"))
        #expect(try PNG.read(folder.appendingPathComponent("grid.png")) == mosaic)
        #expect(throws: KerasError.self) { try Chart().write(to: folder.appendingPathComponent("chart.png")) }
        #expect(throws: KerasError.self) { try Chart().write(to: folder.appendingPathComponent("chart.pdf")) }
    }

    @Test func binaryColormapInvertsFlattenedDigits() throws {
        let grid = try Plot.images(Tensor(shape: [1, 4], scalars: [0, 1, 0.5, 0]), labels: ["7"])
        #expect(grid.images[0].width == 2 && grid.images[0].channels == 3)
        #expect(grid.images[0].pixels == [255, 255, 255, 0, 0, 0, 128, 128, 128, 255, 255, 255])
        #expect(throws: KerasError.self) { try Plot.images(Tensor(shape: [1, 5], scalars: [0, 0, 0, 0, 0])) }
    }

    @Test func confusionMatrixCountsPairs() throws {
        let truth = Tensor([0, 1, 2, 2, 1, 0])
        let scores = Tensor(shape: [6, 3], scalars: [0.9, 0.1, 0, 0.2, 0.7, 0.1, 0, 0.4, 0.6, 0.1, 0.8, 0.1, 0.3, 0.6, 0.1, 0.8, 0.1, 0.1])
        let plot = try Plot.confusionMatrix(yTrue: truth, yPred: scores, classNames: ["cat", "dog", "fox"])
        #expect(plot.counts == [[2, 0, 0], [0, 2, 0], [0, 1, 1]])
        let document = try SVGDocument(plot.svg())
        #expect(document.all("rect").count == 1 + 9)  // background and cells
        #expect(document.texts.contains("fox"))
        #expect(throws: KerasError.self) { try Plot.confusionMatrix(yTrue: Tensor([0.5]), yPred: Tensor([0])) }
    }

    @Test func classProbabilitiesHighlightTheMostLikelyClass() throws {
        let chart = try Plot.classProbabilities(Tensor([0.1, 0.7, 0.2]), classNames: ["a", "b", "c"], trueClass: 1)
        #expect(chart.title == "Predicted: b (70.0%), true: b")
        #expect(chart.series[0].colors?[1] != chart.series[0].colors?[0])
        let document = try SVGDocument(chart.svg())
        #expect(document.all("rect").filter { $0["rx"] == "1.5" }.count == 3)
        #expect(throws: KerasError.self) { try Plot.classProbabilities(Tensor([0.5, 0.5]), classNames: ["a"]) }
    }
}

@Suite("HTMLReport")
struct HTMLReportTests {
    /// Reads the page at each epoch end, while training still runs.
    final class PageReader: Callback {
        let url: URL
        var pages: [String] = []
        init(_ url: URL) { self.url = url }
        override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
            pages.append(String(decoding: try FileIO.read(url), as: UTF8.self))  // FileIO retries EINTR
        }
    }

    @Test func pageFollowsTrainingAndStopsRefreshingAtTheEnd() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keras-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("report.html")
        try Keras.withRandomSeed(5) {
            let model = Sequential([Dense(units: 1, activation: "sigmoid", inputDim: 1)])
            try model.compile(optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy"])
            let x = Tensor(shape: [10, 1], scalars: (0..<10).map { Float($0) / 10 }), y = Tensor(shape: [10, 1], scalars: (0..<10).map { $0 < 5 ? 0 : 1 })
            let report = HTMLReport(path: url.path, title: "Test <run>"), reader = PageReader(url)
            let history = try model.fit(x, y, epochs: 3, batchSize: 5, verbose: 0, callbacks: [report, reader], validationSplit: 0.2)
            #expect(reader.pages.count == 3)
            #expect(reader.pages[0].contains("<meta http-equiv=\"refresh\""))
            #expect(reader.pages[0].contains("Epoch 1/3, batch 2/2"))
            let final = String(decoding: try FileIO.read(url), as: UTF8.self)
            #expect(!final.contains("http-equiv=\"refresh\""))
            #expect(final.contains("Finished: 3 epochs") && final.contains("Test &lt;run&gt;"))
            #expect(final.contains(String(format: "%.4f", history["val_loss"].last!)))
            #expect(final.contains("width:100.0%"))
            #expect(!final.contains("src=") && !final.contains("href=\"http"))  // self-contained
            // The curves are inline, well-formed SVG with both curves.
            let start = try #require(final.range(of: "<svg")), end = try #require(final.range(of: "</svg>"))
            let document = try SVGDocument(String(final[start.lowerBound..<end.upperBound]))
            #expect(document.texts.contains("Loss") && document.texts.contains("validation"))
            // Atomic updates leave no temporary files behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.html"])
        }
    }
}

@Suite("KerasPlot mistakes")
struct PlotMistakeTests {
    @Test func badGridsAndArgumentsThrow() {
        #expect(throws: KerasError.self) { try HeatMap(values: [0, 1, 2], columns: 2, rows: 2, xRange: 0...1, yRange: 0...1) }
        #expect(throws: KerasError.self) {
            try SurfacePlot(values: [0], columns: 1, rows: 1, xRange: 0...1, yRange: 0...1, zRange: 0...1)
        }
        let x = Tensor(shape: [2, 2], scalars: [0, 0, 1, 1]), y = Tensor(shape: [2, 1], scalars: [0, 1])
        #expect(throws: KerasError.self) { try Plot.decisionMap({ $0 }, x: x, y: y) }  // two outputs per input
        #expect(throws: KerasError.self) { try Plot.predictionSurface({ $0.slice(axis: 1, 0..<1) }, x: x, y: y, resolution: 1) }
    }

    @Test func mismatchedSeriesDrawTheCommonPoints() throws {
        var series = Series.bars(x: [0, 1, 2], y: [1, 2], colors: [.black])
        series.label = "bars"
        let document = try SVGDocument(Chart(series: [series, .line(x: [0, 1, 2], y: [1])]).svg())
        #expect(document.all("rect").filter { $0["rx"] == "1.5" }.count == 2 + 1)  // two bars and the legend swatch
    }
}

@Suite("Model diagrams")
struct ModelDiagramTests {
    @Test func functionalGraphDrawsEveryLayerWithItsShapeAndOneArrowPerConnection() throws {
        let image = Input(shape: [8], name: "image"), meta = Input(shape: [3], name: "meta")
        let joined = try Concatenate(name: "join")([try Dense(units: 4, name: "seen")(image), meta])
        let model = try Model(inputs: [image, meta], outputs: try Dense(units: 2, activation: .softmax, name: "label")(joined))
        let diagram = ModelDiagram(model)
        let svg = diagram.svg()
        _ = try SVGDocument(svg)
        for text in ["image (InputLayer)", "meta (InputLayer)", "seen (Dense)", "join (Concatenate)", "label (Dense)", "(None, 7)", "(None, 2)"] {
            #expect(svg.contains(text), "\(text)")
        }
        // One arrow head (a closed path) per connection: seen←image, join←seen, join←meta, label←join.
        #expect(svg.components(separatedBy: "Z\" fill").count - 1 == 4)
        #expect(diagram.boxes.map(\.row) == [0, 0, 1, 2, 3] || diagram.boxes.map(\.row) == [0, 1, 0, 2, 3])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("diagram-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try plotModel(Sequential([Input(shape: [3]), Dense(units: 2)]), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("dense"))
    }
}

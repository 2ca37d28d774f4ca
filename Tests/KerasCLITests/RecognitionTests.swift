import Foundation
import Keras
import KerasServer
import Testing

/// One drawing of the stroke fixture (Tools/fixtures/digit_strokes.py): the digit meant, the pen
/// width, and the strokes as mouse positions on the 280×280 canvas.
struct StrokeDrawing: Decodable {
    var digit: Int
    var width: Int
    var strokes: [[[Double]]]

    static func fixtures() throws -> [StrokeDrawing] {
        try JSONDecoder().decode([StrokeDrawing].self, from: Data(contentsOf: URL(fileURLWithPath: cliFixture("digit-strokes.json"))))
    }

    /// The drawing as the canvas shows it: round-capped lines `width` wide, edges anti-aliased over a pixel.
    func rendered(size: Int = 280) throws -> DigitImage {
        var ink = [Float](repeating: 0, count: size * size)
        let radius = Double(width) / 2
        for stroke in strokes {
            let points = stroke.count == 1 ? [stroke[0], stroke[0]] : stroke
            for (a, b) in zip(points, points.dropFirst()) {
                let (dx, dy) = (b[0] - a[0], b[1] - a[1])
                let length2 = max(dx * dx + dy * dy, 1e-9)
                let xs = max(0, Int(min(a[0], b[0]) - radius - 1))...min(size - 1, Int(max(a[0], b[0]) + radius + 1))
                let ys = max(0, Int(min(a[1], b[1]) - radius - 1))...min(size - 1, Int(max(a[1], b[1]) + radius + 1))
                for y in ys {
                    for x in xs {
                        let (px, py) = (Double(x) + 0.5, Double(y) + 0.5)
                        let t = min(max(((px - a[0]) * dx + (py - a[1]) * dy) / length2, 0), 1)
                        let distance = hypot(px - a[0] - t * dx, py - a[1] - t * dy)
                        let coverage = Float(min(max(radius + 0.5 - distance, 0), 1))
                        ink[y * size + x] = max(ink[y * size + x], coverage)
                    }
                }
            }
        }
        return try DigitImage(width: size, height: size, ink: ink)
    }
}

@Suite("Recognising hand-drawn digits with the seed's MLP")
struct RecognitionTests {
    @Test("the stroke fixtures are ten digits that fill part of the canvas")
    func fixturesAreDrawings() throws {
        let drawings = try StrokeDrawing.fixtures()
        #expect(drawings.map(\.digit) == Array(0..<10))
        for drawing in drawings {
            let bounds = try #require(try drawing.rendered().inkBounds())
            #expect(bounds.y.count > 60 && bounds.y.count < 280, "digit \(drawing.digit)")
        }
    }

    /// Trains seed 002's MLP on MNIST (5 epochs, as `keras serve digits` does) and reads the ten
    /// drawings through the app's preprocessing. Needs MNIST in the Keras cache (see the README).
    @Test("at least 9 of 10 hand-drawn digits are recognised (MNIST, KERAS_REAL_DATA=1)",
          .enabled(if: ProcessInfo.processInfo.environment["KERAS_REAL_DATA"] == "1"))
    func recognition() async throws {
        let data: (train: Datasets.Split, test: Datasets.Split)
        do {
            data = try Datasets.mnist()
        } catch {
            // With only Fashion-MNIST there are no digits to learn: nothing to check.
            print("WARNING: MNIST is not on this machine, so recognition of drawn digits is not checked: \(error)")
            return
        }
        let model = try Keras.withRandomSeed(2) { try DigitModels.trainSeedMLP(data, epochs: 5, verbose: 2) }
        let classifier = try DigitClassifier(model: model, description: "seed MLP")
        var correct = 0
        for drawing in try StrokeDrawing.fixtures() {
            let prediction = try await classifier.predict(try drawing.rendered())
            let confidence = prediction.probabilities[prediction.digit]
            print("drawn \(drawing.digit) → recognised \(prediction.digit) (p = \(confidence))")
            if prediction.digit == drawing.digit { correct += 1 }
        }
        print("Recognised \(correct) of 10 hand-drawn digits")
        #expect(correct >= 9)
    }
}

// A saved image classifier answering for one MNIST-style picture at a time.

import Foundation
import Keras

/// What a classifier says about one picture.
public struct DigitPrediction: Codable, Equatable, Sendable {
    /// The most probable class.
    public var digit: Int
    /// The name of that class: "7" for digits, "Sneaker" for Fashion-MNIST.
    public var label: String
    /// One probability per class, adding up to 1.
    public var probabilities: [Float]
    /// The 28×28 picture the model saw, ink 0…1, row by row.
    public var image: [Float]
}

/// A Keras classifier of 28×28 pictures (input `(28, 28)` or `(784,)`), for the web app.
///
/// Predictions run one at a time (a model is not safe to call from two threads at once); one
/// prediction of the seed's MLP takes well under a millisecond.
public actor DigitClassifier {
    private let model: Model
    /// Names of the classes by index (digits "0"…"9" unless the model was trained on something else).
    public nonisolated let classNames: [String]
    /// Where the model came from, for `/health` and the page.
    public nonisolated let description: String
    private let inputShape: [Int]

    /// Wraps `model`, checking that it takes 28×28 pictures (as `(28, 28)`, `(28, 28, 1)` or `(784,)`).
    public init(model: Model, classNames: [String]? = nil, description: String) throws {
        guard let built = model.builtInputShape, built.count >= 2,
              let shape = Optional(built.dropFirst().compactMap { $0 }), shape.count == built.count - 1,
              [[784], [28, 28], [28, 28, 1]].contains(shape)
        else {
            throw KerasError.invalidArgument(
                name: "model", value: "input shape \(model.builtInputShape.map { "\($0)" } ?? "unknown (not built)")",
                expected: "a classifier of 28×28 pictures: input shape (None, 784), (None, 28, 28) or (None, 28, 28, 1)")
        }
        self.model = model
        self.inputShape = [1] + shape
        self.classNames = classNames ?? []
        self.description = description
    }

    /// The model's answer for `drawing`, after MNIST-style preprocessing; throws for a blank drawing.
    public func predict(_ drawing: DigitImage) throws -> DigitPrediction {
        guard let picture = drawing.mnistStyle() else {
            throw KerasError.invalidData("the drawing is blank: draw a digit first")
        }
        let output = try model.predict(Tensor(shape: inputShape, scalars: picture.ink))
        var probabilities = output.scalars
        if !(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 } && abs(probabilities.reduce(0, +) - 1) < 1e-3) {
            // Logits (no softmax at the end): normalise so that the bars add up to 1.
            probabilities = Tensor(shape: [probabilities.count], scalars: probabilities).softmax().scalars
        }
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        let label = best < classNames.count ? classNames[best] : "\(best)"
        return DigitPrediction(digit: best, label: label, probabilities: probabilities, image: picture.ink)
    }
}

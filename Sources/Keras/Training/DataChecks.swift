// Checks of the data handed to fit / evaluate / trainOnBatch that the shapes alone do not catch.

/// Checks of sample weights and class labels, shared by the training and evaluation calls.
enum DataChecks {
    /// One finite weight per sample, or an error naming `call`.
    static func sampleWeight(_ weight: Tensor?, samples: Int, call: String) throws {
        guard let weight else { return }
        guard weight.shape == [samples] else {
            throw KerasError.shapeMismatch(context: "\(call) sampleWeight", expected: "[\(samples)]", got: "\(weight.shape)",
                                           fix: "Pass one weight per sample.")
        }
        guard weight.allFinite else {
            throw KerasError.invalidData("\(call): sampleWeight contains NaN or infinite values; give every sample a finite weight.")
        }
    }

    /// The class index a label stands for: a whole number in `0..<classes` (any whole number in
    /// `Int`'s range when `classes` is nil), else an error naming the label, the sample and the fix.
    static func classIndex(_ label: Float, sample: Int, classes: Int?, context: String) throws -> Int {
        if let index = Int(exactly: label), index >= 0, index < (classes ?? .max) { return index }
        let range = classes.map { "0..<\($0) (the model has \($0) classes)" } ?? "0, 1, 2, …"
        throw KerasError.invalidData(
            "\(context): label \(label) of sample \(sample) is not a class index in \(range). "
                + "Labels must be whole numbers counting classes from 0.")
    }
}

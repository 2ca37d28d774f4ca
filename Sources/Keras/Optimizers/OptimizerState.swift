// Checks of an optimizer's state: what a file or a user may set that the updates cannot use.

extension Optimizer {
    /// Throws unless `rate` is a finite learning rate, 0 or more.
    static func validateLearningRate(_ rate: Float, optimizer: String) throws {
        guard rate.isFinite, rate >= 0 else {
            throw KerasError.invalidArgument(name: "learning rate of optimizer '\(optimizer)'", value: "\(rate)",
                                             expected: "a finite number, 0 or more (such as 0.001)")
        }
    }

    /// Checks saved state before it is loaded: `values` in the order of `variables`. The
    /// iteration count must be a whole number of steps, and a constant learning rate valid, so
    /// that a file cannot load and then stop the next `fit` or `save`.
    func validateState(_ values: [Tensor], file: String) throws {
        for (variable, value) in zip(variables, values) {
            if variable === iterationsVariable {
                let count = value.count == 1 ? value.scalars[0] : .nan
                guard count >= 0, count < 0x1p53, count == count.rounded() else {
                    throw KerasError.invalidData(
                        "\(file): optimizer '\(name)' has iteration count \(count), not a whole number of steps "
                            + "(0 to 2^53): the file is damaged or was not written by Keras.")
                }
            } else if variable === learningRateVariable, value.count == 1 {
                do {
                    try Optimizer.validateLearningRate(value.scalars[0], optimizer: name)
                } catch {
                    throw KerasError.invalidData("\(file): \(error)")
                }
            }
        }
    }
}

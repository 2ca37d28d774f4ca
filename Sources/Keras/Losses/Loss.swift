/// A loss: how far predictions are from labels, as a differentiable scalar to minimise.
///
/// Conforming types compute one value per sample (`perSampleLoss`); calling the loss applies
/// sample weights and Keras' default reduction, `sum_over_batch_size`.
public protocol Loss: Sendable {
    /// The Keras name, such as `"mean_squared_error"`, used in configs and messages.
    var name: String { get }

    /// The loss of each sample: the last axis of the inputs reduced away (Keras' convention),
    /// written with differentiable tensor operations.
    func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor

    /// Throws a `KerasError.shapeMismatch` naming the loss when labels of shape `yTrue`
    /// cannot be compared with predictions of shape `yPred`.
    func validate(yTrue: [Int], yPred: [Int]) throws
}

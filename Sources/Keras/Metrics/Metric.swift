/// A metric: a running statistic over the batches of an epoch, reset at each epoch's start.
public protocol Metric: AnyObject {
    /// The name shown in the progress bar and used as the key in `History` (`"accuracy"`).
    var name: String { get }
    /// Adds a batch of labels and predictions.
    func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?)
    /// The value over everything added since the last reset.
    func result() -> Float
    /// Forgets everything added.
    func reset()
}

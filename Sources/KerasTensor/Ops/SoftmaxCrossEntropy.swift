import Foundation

// Softmax and crossentropy as one operation (TensorFlow's `softmax_cross_entropy_with_logits`).

extension Tensor {
    /// The crossentropy of `labels` and the softmax of `logits` along the last axis, per row:
    /// `Σ labels · (logsumexp(logits) - logits)`, of shape `logits.shape.dropLast()`.
    ///
    /// One pass over each row forward; the gradient with respect to the logits,
    /// `softmax(logits) · Σ labels - labels`, in one pass backward (what the separate exp, sum,
    /// log, subtraction and products would take a dozen operations and temporaries for).
    /// `labels` has the shape of `logits`.
    public static func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> Tensor {
        precondition(logits.rank >= 1 && labels.shape == logits.shape,
                     "softmaxCrossEntropy: labels \(labels.shape) do not match logits \(logits.shape)")
        let classes = logits.shape[logits.rank - 1], rows = logits.count / Swift.max(classes, 1)
        let loss = Tensor(uninitializedShape: Array(logits.shape.dropLast()))
        // logsumexp of each row, kept for the gradient.
        let lse = Tensor(uninitializedShape: [rows])
        StepProfile.measure(.elementwise) {
            let x = logits.storage.base, t = labels.storage.base
            for row in 0..<rows {
                let xr = x + row * classes, tr = t + row * classes
                var top = -Float.infinity
                for j in 0..<classes { top = Swift.max(top, xr[j]) }
                let shift = top.isFinite ? top : 0
                var sum: Float = 0
                for j in 0..<classes { sum += Foundation.exp(xr[j] - shift) }
                let rowLSE = Foundation.log(sum) + shift
                var value: Float = 0
                for j in 0..<classes { value += tr[j] * (rowLSE - xr[j]) }
                lse.storage.base[row] = rowLSE
                loss.storage.base[row] = value
            }
        }
        guard isRecording(logits, labels) else { return loss }
        return loss.recorded(from: logits, labels) { g, needLogits, needLabels in
            // Recorded (higher-order gradients): the same gradients from differentiable operations.
            if isRecording([g, logits, labels]) {
                let column = g.reshaped(to: g.shape + [1]), rowLSE = logits.logSumExp(axis: -1, keepDims: true)
                let probabilities = (logits - rowLSE).exp()
                return (needLogits ? (probabilities * labels.sum(axis: -1, keepDims: true) - labels) * column : nil,
                        needLabels ? (rowLSE - logits) * column : nil)
            }
            return StepProfile.measure(.elementwise) {
                let gradientLogits = needLogits ? Tensor(uninitializedShape: logits.shape) : nil
                let gradientLabels = needLabels ? Tensor(uninitializedShape: labels.shape) : nil
                let x = logits.storage.base, t = labels.storage.base, gs = g.storage.base
                for row in 0..<rows {
                    let xr = x + row * classes, tr = t + row * classes, rowLSE = lse.storage.base[row], gr = gs[row]
                    if let out = gradientLogits?.storage.base {
                        var mass: Float = 0
                        for j in 0..<classes { mass += tr[j] }
                        for j in 0..<classes {
                            out[row * classes + j] = (Foundation.exp(xr[j] - rowLSE) * mass - tr[j]) * gr
                        }
                    }
                    if let out = gradientLabels?.storage.base {
                        for j in 0..<classes { out[row * classes + j] = (rowLSE - xr[j]) * gr }
                    }
                }
                return (gradientLogits, gradientLabels)
            }
        }
    }
}

import Keras

/// Seed 000, experiment 1: one neuron written by hand with vectors, trained by stochastic
/// gradient descent with the derivatives worked out on paper — then the same neuron trained
/// with a `GradientTape` doing the calculus.
enum NeuronExample {
    static func run() {
        let (X, Y) = Beans.twoFeatures(count: 100)
        let num = X.shape[0]

        // The model: two weights (two features) and a bias, as in the seed.
        var W: Tensor = [0.1, 0.1]
        var B: Tensor = [0.1]

        func forwardPropagation(_ X: Tensor) -> Tensor {
            let Z = X.dot(W.T) + B
            return 1 / (1 + exp(-Z))
        }

        let alpha: Float = 0.01
        for _ in 0..<5000 {
            for i in 0..<num {
                let Xi = X[i]
                let Yi = Y[i]
                let A = forwardPropagation(Xi)
                let dEdA = -2 * (Yi - A)
                let dAdZ = A * (1 - A)
                let dZdW = Xi
                let dEdW = dEdA * dAdZ * dZdW
                let dEdB = dEdA * dAdZ
                W = W - alpha * dEdW
                B = B - alpha * dEdB
            }
        }
        let handAccuracy = accuracy(forwardPropagation(X), Y)
        print("By hand:       W = \(W), B = \(B), accuracy \(handAccuracy)")

        // The same neuron, with the gradients from automatic differentiation.
        let w = Variable([0.1, 0.1], name: "w"), b = Variable([0.1], name: "b")
        for _ in 0..<5000 {
            for i in 0..<num {
                let tape = GradientTape()
                let error = tape.record {
                    let a = sigmoid(X[i].dot(w.value.T) + b.value)
                    return (Y[i] - a).square()
                }
                let gradients = tape.gradient(of: error, wrt: [w, b])
                w.assignSubtract(alpha * gradients[0])
                b.assignSubtract(alpha * gradients[1])
            }
        }
        let tapeAccuracy = accuracy(sigmoid(X.dot(w.value) + b.value), Y)
        print("GradientTape:  W = \(w.value), B = \(b.value), accuracy \(tapeAccuracy)")
    }

    /// The share of predictions on the right side of 0.5.
    static func accuracy(_ predictions: Tensor, _ labels: Tensor) -> Float {
        ((predictions.reshaped(to: [-1]) .> 0.5) .== labels.reshaped(to: [-1])).mean().scalar
    }
}

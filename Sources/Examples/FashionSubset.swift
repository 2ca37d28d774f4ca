import Keras

/// A slice of Fashion-MNIST (from the Keras cache, or Debian's `dataset-fashion-mnist`) as
/// flat pixels in [0, 1] and integer labels: what the architecture examples train on.
enum FashionSubset {
    static func load(train: Int = 10_000, test: Int = 2_000) throws -> (x: Tensor, y: Tensor, xTest: Tensor, yTest: Tensor) {
        let data = try Datasets.fashionMNIST()
        func flat(_ images: Tensor, _ count: Int) -> Tensor {
            var x = images[0..<count].reshaped(to: [count, 784])
            x /= 255
            return x
        }
        return (flat(data.train.x, train), data.train.y[0..<train], flat(data.test.x, test), data.test.y[0..<test])
    }
}

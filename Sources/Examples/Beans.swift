import Keras

/// The "beans" toy data of seed 000: bean size (and, for two features, colour depth) and
/// whether the bean is poisonous. Generated from a seed, so every run sees the same beans.
enum Beans {
    /// `count` beans with one feature, sorted by size; poisonous above a noisy linear threshold.
    static func oneFeature(count: Int = 100, seed: UInt64 = 0) -> (x: Tensor, y: Tensor) {
        var generator = RandomGenerator(seed: seed)
        let sizes = (0..<count).map { _ in generator.nextUniform() }.sorted()
        let labels = sizes.map { size -> Float in
            let score = 0.7 * size + (0.5 - generator.nextUniform()) / 50 + 0.5
            return score > 0.8 ? 1 : 0
        }
        return (Tensor(shape: [count, 1], scalars: sizes), Tensor(shape: [count, 1], scalars: labels))
    }

    /// `count` beans with two features in `[0, 1)`; poisonous on one side of a line.
    static func twoFeatures(count: Int = 100, seed: UInt64 = 0) -> (x: Tensor, y: Tensor) {
        var generator = RandomGenerator(seed: seed)
        var features: [Float] = [], labels: [Float] = []
        for _ in 0..<count {
            let (size, colour) = (generator.nextUniform(), generator.nextUniform())
            features += [size, colour]
            labels.append(size + colour + (0.5 - generator.nextUniform()) / 20 > 1 ? 1 : 0)
        }
        return (Tensor(shape: [count, 2], scalars: features), Tensor(shape: [count, 1], scalars: labels))
    }
}

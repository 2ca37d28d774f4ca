import Keras

/// Seed 001: a linear unit — `Dense(units: 1, inputShape: [3])` for the cereals' sugar, fibre
/// and protein, and `inputShape: [11]` for the red wine's eleven features — and its weights:
/// a random kernel and a zero bias.
enum LinearUnitExample {
    static func run() throws {
        let cereals = Sequential([Dense(units: 1, inputShape: [3])])
        try cereals.build(inputShape: [nil, 3])
        let wine = Sequential([Dense(units: 1, inputShape: [11])])
        try wine.build(inputShape: [nil, 11])
        for (name, model) in [("cereals", cereals), ("red wine", wine)] {
            let w = model.weights[0], b = model.weights[1]
            print("\(name): \(w.name) \(w.shape), \(b.name) \(b.shape)")
            print("Weights\n\(w.value)\n\nBias\n\(b.value)\n")
        }
        // The untrained unit on one input: a straight line through the bias.
        let line = Sequential([Dense(units: 1, inputShape: [1])])
        let x = Tensor.linspace(-1, 1, count: 5).reshaped(to: [5, 1])
        let y = try line.predict(x)
        let (w, b) = (line.weights[0].value, line.weights[1].value)
        print("Untrained line: weight \(w[0, 0].scalar), bias \(b[0].scalar)")
        print("x = \(x.reshaped(to: [-1]))\ny = \(y.reshaped(to: [-1]))")
    }
}

// The scalar-by-scalar merges of Keras (`keras.layers.Add`, …): each a `Merge` with its operation.

/// The sum of its inputs.
public final class Add: Merge {
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], +) }
}

/// The first input minus the second.
public final class Subtract: Merge {
    public override class var minimumInputs: Int { 2 }
    public override class var maximumInputs: Int { 2 }
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs[0] - inputs[1] }
}

/// The product of its inputs.
public final class Multiply: Merge {
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], *) }
}

/// The mean of its inputs.
public final class Average: Merge {
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], +) / Float(inputs.count) }
}

/// The largest of its inputs, scalar by scalar.
public final class Maximum: Merge {
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { $0.maximum($1) } }
}

/// The smallest of its inputs, scalar by scalar.
public final class Minimum: Merge {
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { $0.minimum($1) } }
}

import Synchronization

/// A batch as the Functional API sees it before any data flows: its shape (`nil` for the batch
/// dimension and other unknown dimensions) and the layer call that produces it (Keras'
/// `KerasTensor`).
///
/// ```swift
/// let inputs = Input(shape: [784])
/// let hidden = try Dense(units: 64, activation: .relu)(inputs)
/// let model = try Model(inputs: inputs, outputs: try Dense(units: 10)(hidden))
/// ```
public final class SymbolicTensor: CustomStringConvertible {
    /// The shape, batch dimension first.
    public let shape: [Int?]
    /// The layer call that produces this tensor.
    let node: LayerNode
    /// The position of this tensor among the call's outputs.
    let index: Int

    init(shape: [Int?], node: LayerNode, index: Int) {
        self.shape = shape
        self.node = node
        self.index = index
    }

    /// The layer that produces this tensor.
    public var layer: Layer { node.layer }

    /// The producing layer's name, with the output's position when it has several.
    public var name: String { node.outputCount == 1 ? node.layer.name : "\(node.layer.name)_\(index)" }

    public var description: String { "<SymbolicTensor shape=\(formatShape(shape)), name=\(name)>" }

    /// The key by which a graph finds this tensor's value.
    var key: TensorKey { TensorKey(node: ObjectIdentifier(node), index: index) }
}

/// Identifies one output of one layer call.
struct TensorKey: Hashable {
    let node: ObjectIdentifier
    let index: Int
}

/// One call of a layer on symbolic tensors (Keras' `Node`): what it read, what it made.
final class LayerNode {
    let layer: Layer
    let inputs: [SymbolicTensor]
    let outputShapes: [[Int?]]
    /// Creation order; a layer's nodes in this order are its `inbound_nodes`.
    let sequence: Int

    private static let created = Atomic<Int>(0)

    init(layer: Layer, inputs: [SymbolicTensor], outputShapes: [[Int?]]) {
        self.layer = layer
        self.inputs = inputs
        self.outputShapes = outputShapes
        sequence = LayerNode.created.add(1, ordering: .relaxed).newValue
    }

    var outputCount: Int { outputShapes.count }
    /// Whether this is the call of an `InputLayer` that starts a graph.
    var isInput: Bool { inputs.isEmpty && layer is InputLayer }

    /// The node's outputs as symbolic tensors.
    lazy var outputs: [SymbolicTensor] = outputShapes.indices.map { SymbolicTensor(shape: outputShapes[$0], node: self, index: $0) }
}

extension Layer {
    /// Calls the layer on a symbolic tensor, recording the call for a Functional model.
    public func callAsFunction(_ input: SymbolicTensor) throws -> SymbolicTensor {
        try singleOutput(try callAll([input]))
    }

    /// Calls a layer with several inputs and one output (a merge layer) on symbolic tensors.
    public func callAsFunction(_ inputs: [SymbolicTensor]) throws -> SymbolicTensor {
        try singleOutput(try callAll(inputs))
    }

    /// Calls the layer on symbolic tensors and returns every output: builds the layer for the
    /// inputs' shapes, infers the outputs' shapes and records the call.
    public func callAll(_ inputs: [SymbolicTensor]) throws -> [SymbolicTensor] {
        let shapes = inputs.map(\.shape)
        try buildIfNeeded(inputShapes: shapes)
        let node = LayerNode(layer: self, inputs: inputs, outputShapes: try outputShapes(forInputShapes: shapes))
        return node.outputs
    }
}

/// Keras' `keras.Input(shape=…)`: a symbolic batch of samples of `shape`, the start of a
/// Functional model. In a `Sequential` list it stands for its `InputLayer`.
public func Input(shape: [Int], name: String? = nil) -> SymbolicTensor {
    InputLayer(shape: shape, name: name).makeOutput()
}

/// What a `Sequential` list accepts: a layer, or the `Input(shape:)` that starts it.
public protocol LayerRepresentable {
    var layerValue: Layer { get }
}

extension Layer: LayerRepresentable {
    public var layerValue: Layer { self }
}

extension SymbolicTensor: LayerRepresentable {
    public var layerValue: Layer { node.layer }
}

/// Reshapes each sample to `targetShape` (one dimension may be -1).
public final class Reshape: Layer {
    public let targetShape: [Int]

    public init(_ targetShape: [Int], inputShape: [Int]? = nil, name: String? = nil) {
        self.targetShape = targetShape
        super.init(name: name, inputShape: inputShape)
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        let known = inputShape.dropFirst().compactMap { $0 }
        guard known.count == inputShape.count - 1 else { return [inputShape.first ?? nil] + targetShape.map { $0 == -1 ? nil : $0 } }
        let count = known.reduce(1, *)
        let fixed = targetShape.filter { $0 != -1 }.reduce(1, *)
        let unknowns = targetShape.filter { $0 == -1 }.count
        guard unknowns <= 1, fixed > 0, unknowns == 1 ? count % fixed == 0 : count == fixed else {
            throw shapeError(expected: "samples of \(targetShape.reduce(1, *)) values for target shape \(targetShape)",
                             got: inputShape, fix: "Choose a target shape with as many values as each sample.")
        }
        return [inputShape.first ?? nil] + targetShape.map { $0 == -1 ? count / fixed : $0 }
    }

    public override func build(inputShape: [Int?]) throws { _ = try outputShape(forInputShape: inputShape) }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let shape = try outputShape(forInputShape: [nil] + input.shape.dropFirst().map { $0 })
        return input.reshaped(to: [input.shape[0]] + shape.dropFirst().map { $0 ?? -1 })
    }
}

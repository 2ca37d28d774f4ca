/// What a lookup layer (`StringLookup`, `IntegerLookup`, `TextVectorization`) outputs for its
/// tokens, as Keras' `output_mode`.
public enum TokenOutputMode: String, Sendable, CaseIterable {
    /// Each token's index in the vocabulary.
    case int
    /// One vector per token, 1 at its index.
    case oneHot = "one_hot"
    /// One vector per sample, 1 at the index of each token it holds.
    case multiHot = "multi_hot"
    /// One vector per sample, how many times each token occurs.
    case count
    /// One vector per sample: the counts times each token's inverse document frequency.
    case tfIdf = "tf_idf"

    /// The mode a Keras config names (`"binary"` and `"tf-idf"` are Keras' older spellings).
    init(kerasName: String, layer: String) throws {
        let name = kerasName == "binary" ? "multi_hot" : kerasName == "tf-idf" ? "tf_idf" : kerasName
        guard let mode = TokenOutputMode(rawValue: name) else {
            throw KerasError.unknownName(kind: "output_mode of \(layer)", name: kerasName, valid: Self.allCases.map(\.rawValue))
        }
        self = mode
    }
}

/// Token indices as Keras' `encode_categorical_inputs` encodes them. An index of `nil` (a mask
/// token outside `int` mode) adds nothing, as Keras drops it.
enum TokenEncoding {
    /// One bag per row: `[rows, depth]` of 1s, counts, or counts times `idf`.
    static func bags(_ rows: [[Int?]], depth: Int, mode: TokenOutputMode, idf: [Float]?) -> [Float] {
        var output = [Float](repeating: 0, count: rows.count * depth)
        for (row, indices) in rows.enumerated() {
            for case let index? in indices where index < depth {
                if mode == .multiHot { output[row * depth + index] = 1 } else { output[row * depth + index] += 1 }
            }
        }
        if mode == .tfIdf, let idf {
            for i in output.indices where output[i] != 0 { output[i] *= idf[i % depth] }
        }
        return output
    }

    /// The encoding of indices laid out in `shape` (rank 1 or 2), as Keras shapes it: `int` keeps
    /// the shape; `one_hot` adds an axis of `depth`, replacing a last axis of 1; the bag modes
    /// make one vector per row of a rank-2 input, and one vector of a rank-1 input.
    static func encode(_ indices: [Int?], shape: [Int], depth: Int, mode: TokenOutputMode, idf: [Float]?) -> Tensor {
        switch mode {
        case .int:
            return Tensor(shape: shape, scalars: indices.map { Float($0 ?? 0) }).astype(.integer)
        case .oneHot:
            var output = [Float](repeating: 0, count: indices.count * depth)
            for (i, index) in indices.enumerated() {
                if let index, index < depth { output[i * depth + index] = 1 }
            }
            let kept = shape.count > 1 && shape.last == 1 ? Array(shape.dropLast()) : shape
            return Tensor(shape: kept + [depth], scalars: output)
        case .multiHot, .count, .tfIdf:
            let width = shape.count == 2 ? shape[1] : indices.count
            let rows = stride(from: 0, to: indices.count, by: Swift.max(width, 1)).map { Array(indices[$0..<Swift.min($0 + width, indices.count)]) }
            let samples = shape.count == 2 ? shape[0] : 1
            let bags = bags(rows.isEmpty ? Array(repeating: [], count: samples) : rows, depth: depth, mode: mode, idf: idf)
            return Tensor(shape: shape.count == 2 ? [samples, depth] : [depth], scalars: bags)
        }
    }
}

// Shuffling and splitting arrays of samples: `keras.utils.split_dataset` and friends.

/// The size of one side of a split: a fraction of the samples, or a number of samples.
public enum SplitSize: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case fraction(Double)
    case count(Int)

    public init(floatLiteral value: Double) { self = .fraction(value) }
    public init(integerLiteral value: Int) { self = .count(value) }
}

/// Helpers for functions over arrays of samples.
enum Samples {
    /// The number of samples shared by `arrays` (their first dimension), or an error naming `function`.
    static func count(_ arrays: [Tensor], function: String) throws -> Int {
        guard let first = arrays.first else {
            throw KerasError.invalidArgument(name: "arrays", value: "[]", expected: "at least one tensor")
        }
        for (i, array) in arrays.enumerated() {
            guard array.rank >= 1 else {
                throw KerasError.invalidData("\(function): tensor \(i) is a scalar; samples run along the first axis")
            }
            guard array.shape[0] == first.shape[0] else {
                throw KerasError.invalidData(
                    "\(function): tensor \(i) has \(array.shape[0]) samples but tensor 0 has \(first.shape[0]); "
                        + "every tensor needs the same number of samples (first dimension)")
            }
        }
        return first.shape[0]
    }

    /// A random permutation of `0..<count` (Fisher–Yates), from `seed` or else the global generator.
    static func permutation(_ count: Int, seed: UInt64?) -> [Int] {
        var order = Array(0..<count)
        func shuffle(_ generator: inout RandomGenerator) {
            var i = count - 1
            while i > 0 {
                let j = Int(generator.next() % UInt64(i + 1))
                order.swapAt(i, j)
                i -= 1
            }
        }
        if let seed {
            var generator = RandomGenerator(seed: seed)
            shuffle(&generator)
        } else {
            RandomGenerator.withGlobal { shuffle(&$0) }
        }
        return order
    }

    /// The rows of `tensor` (slices along the first axis) at `order`.
    static func rows(_ tensor: Tensor, _ order: [Int]) -> Tensor {
        let rowSize = tensor.shape.dropFirst().reduce(1, *)
        var shape = tensor.shape
        shape[0] = order.count
        var result = Tensor(repeating: 0, shape: shape)
        guard rowSize > 0 else { return result }
        tensor.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { destination in
                for (k, row) in order.enumerated() {
                    (destination.baseAddress! + k * rowSize).update(from: source.baseAddress! + row * rowSize, count: rowSize)
                }
            }
        }
        return result
    }
}

/// The tensors with their samples (first-axis slices) in the same random order.
///
/// - Parameter seed: makes the order repeatable; `nil` draws from the global generator
///   (`Keras.setRandomSeed`).
/// - Throws: `KerasError.invalidData` when the tensors' sample counts differ.
public func shuffled(_ arrays: [Tensor], seed: UInt64? = nil) throws -> [Tensor] {
    let count = try Samples.count(arrays, function: "shuffled")
    let order = Samples.permutation(count, seed: seed)
    return arrays.map { Samples.rows($0, order) }
}

/// Features and labels with their samples in the same random order.
public func shuffled(_ x: Tensor, _ y: Tensor, seed: UInt64? = nil) throws -> (x: Tensor, y: Tensor) {
    let result = try shuffled([x, y], seed: seed)
    return (result[0], result[1])
}

/// Splits tensors of samples into a left and a right part (`keras.utils.split_dataset`).
///
/// Sizes are resolved as Keras resolves them: a fraction (strictly between 0 and 1) is rounded
/// half to even, a count must be strictly between 0 and the number of samples, a missing side
/// is the rest; neither side may be empty. The left part is the first `leftSize` samples, the
/// right part the last `rightSize`.
///
/// - Parameters:
///   - arrays: tensors with the same number of samples along their first axis, such as `[x, y]`.
///   - shuffle: whether to shuffle the samples first; `seed` makes that repeatable (Keras
///     shuffles with Python's `random`, so the orders differ from Keras').
public func splitDataset(_ arrays: [Tensor], leftSize: SplitSize? = nil, rightSize: SplitSize? = nil,
                         shuffle: Bool = false, seed: UInt64? = nil) throws -> (left: [Tensor], right: [Tensor]) {
    let total = try Samples.count(arrays, function: "splitDataset")
    guard leftSize != nil || rightSize != nil else {
        throw KerasError.invalidArgument(name: "leftSize, rightSize", value: "nil, nil", expected: "at least one of them")
    }
    func resolve(_ size: SplitSize?, _ name: String) throws -> Int? {
        switch size {
        case nil: return nil
        case .fraction(let f)?:
            guard f > 0 && f < 1 else {
                throw KerasError.invalidArgument(name: name, value: "\(f)", expected: "a fraction strictly between 0 and 1, or a count")
            }
            return Int((f * Double(total)).rounded(.toNearestOrEven))
        case .count(let c)?:
            guard c > 0 && c < total else {
                throw KerasError.invalidArgument(name: name, value: "\(c)", expected: "a count strictly between 0 and \(total), or a fraction")
            }
            return c
        }
    }
    if case .fraction(let l)? = leftSize, case .fraction(let r)? = rightSize, l + r > 1 {
        throw KerasError.invalidArgument(name: "leftSize + rightSize", value: "\(l + r)", expected: "at most 1")
    }
    var left = try resolve(leftSize, "leftSize")
    var right = try resolve(rightSize, "rightSize")
    if left == nil { left = total - right! }
    if right == nil { right = total - left! }
    guard left! + right! <= total else {
        throw KerasError.invalidArgument(name: "leftSize + rightSize", value: "\(left! + right!) samples",
                                         expected: "at most the \(total) samples")
    }
    guard left! > 0 && right! > 0 else {
        throw KerasError.invalidArgument(name: left! == 0 ? "leftSize" : "rightSize", value: "0 samples of \(total)",
                                         expected: "a split that leaves both sides non-empty")
    }
    let order = shuffle ? Samples.permutation(total, seed: seed) : Array(0..<total)
    let leftOrder = Array(order[..<left!]), rightOrder = Array(order[(total - right!)...])
    return (arrays.map { Samples.rows($0, leftOrder) }, arrays.map { Samples.rows($0, rightOrder) })
}

/// Splits tensors of samples three ways: training, validation and test.
///
/// The validation and test parts take `validation` and `test` of the samples (fractions in
/// `[0, 1)`, rounded half to even); training keeps the rest, first, then validation, then test.
/// Shuffles first unless `shuffle` is false; `seed` makes the order repeatable.
public func trainValidationTestSplit(_ arrays: [Tensor], validation: Double, test: Double, shuffle: Bool = true,
                                     seed: UInt64? = nil) throws -> (train: [Tensor], validation: [Tensor], test: [Tensor]) {
    let total = try Samples.count(arrays, function: "trainValidationTestSplit")
    for (name, fraction) in [("validation", validation), ("test", test)] where !(fraction >= 0 && fraction < 1) {
        throw KerasError.invalidArgument(name: name, value: "\(fraction)", expected: "a fraction in [0, 1)")
    }
    let validationCount = Int((validation * Double(total)).rounded(.toNearestOrEven))
    let testCount = Int((test * Double(total)).rounded(.toNearestOrEven))
    let trainCount = total - validationCount - testCount
    guard trainCount > 0 else {
        throw KerasError.invalidArgument(name: "validation + test", value: "\(validation + test)",
                                         expected: "fractions that leave training samples (\(total) samples in all)")
    }
    let order = shuffle ? Samples.permutation(total, seed: seed) : Array(0..<total)
    let parts = [0..<trainCount, trainCount..<(trainCount + validationCount), (trainCount + validationCount)..<total]
    let split = parts.map { range in arrays.map { Samples.rows($0, Array(order[range])) } }
    return (split[0], split[1], split[2])
}

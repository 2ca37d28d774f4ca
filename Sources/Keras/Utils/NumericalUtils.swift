// `keras.utils.to_categorical` and `keras.utils.normalize`.

import Foundation

/// One-hot encodes integer class labels (`keras.utils.to_categorical`).
///
/// The classes go on a new last axis: labels of shape `(n,)` give `(n, numClasses)`, and a
/// trailing axis of size 1 is replaced, so `(n, 1)` also gives `(n, numClasses)`.
///
/// - Parameters:
///   - y: class labels, whole numbers from 0 to `numClasses - 1`.
///   - numClasses: the number of classes; `nil` infers `max(y) + 1`.
/// - Throws: `KerasError.invalidData` for a label that is negative, not a whole number or not
///   below `numClasses` (Keras would truncate fractions; here they are an error), and
///   `KerasError.invalidArgument` for a `numClasses` below 1 or one that cannot be inferred.
public func toCategorical(_ y: Tensor, numClasses: Int? = nil) throws -> Tensor {
    var outerShape = y.shape
    if outerShape.count > 1 && outerShape.last == 1 { outerShape.removeLast() }
    let labels = y.scalars
    var classes = [Int]()
    classes.reserveCapacity(labels.count)
    for (i, label) in labels.enumerated() {
        guard label >= 0, label.rounded(.towardZero) == label, label < 1e9 else {
            throw KerasError.invalidData(
                "toCategorical: label \(label) at index \(i) is not a class index (a whole number from 0 to numClasses - 1)")
        }
        classes.append(Int(label))
    }
    let count: Int
    if let numClasses {
        guard numClasses >= 1 else {
            throw KerasError.invalidArgument(name: "numClasses", value: "\(numClasses)", expected: "1 or more")
        }
        count = numClasses
        if let bad = classes.firstIndex(where: { $0 >= numClasses }) {
            throw KerasError.invalidData("toCategorical: label \(classes[bad]) at index \(bad) is not below numClasses = \(numClasses)")
        }
    } else {
        guard let largest = classes.max() else {
            throw KerasError.invalidArgument(name: "numClasses", value: "nil",
                                             expected: "a number of classes: it cannot be inferred from no labels")
        }
        count = largest + 1
    }
    try MemoryBudget.check(outerShape + [count], for: "toCategorical(numClasses:) output")
    var result = Tensor(repeating: 0, shape: outerShape + [count])
    result.withUnsafeMutableBufferPointer { buffer in
        for (i, label) in classes.enumerated() { buffer[i * count + label] = 1 }
    }
    return result
}

/// Divides `x` by its norm along `axis` (`keras.utils.normalize`); where the norm is 0, `x` is kept.
///
/// - Parameters:
///   - axis: the axis of the vectors, negative counting from the end.
///   - order: the norm's order, as `numpy.linalg.norm`'s `ord` for vectors: 2 (Euclidean), 1,
///     any `p` (`sum(|x|^p)^(1/p)`), 0 (the count of non-zeros), `.infinity` (max `|x|`),
///     `-.infinity` (min `|x|`).
/// Throws when `x` has no axis `axis`.
public func normalize(_ x: Tensor, axis: Int = -1, order: Double = 2) throws -> Tensor {
    let resolved = axis < 0 ? axis + x.rank : axis
    guard resolved >= 0 && resolved < x.rank else {
        throw KerasError.invalidArgument(name: "normalize axis", value: "\(axis)",
                                         expected: "an axis of the input of shape \(x.shape), in \(-x.rank)..<\(x.rank)")
    }
    let size = x.shape[resolved]
    let inner = x.shape[(resolved + 1)...].reduce(1, *)
    let outer = x.shape[..<resolved].reduce(1, *)
    var result = x
    result.withUnsafeMutableBufferPointer { values in
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                var norm = 0.0
                switch order {
                case .infinity:
                    for k in 0..<size { norm = max(norm, Double(abs(values[base + k * inner]))) }
                case -.infinity:
                    norm = .infinity
                    for k in 0..<size { norm = min(norm, Double(abs(values[base + k * inner]))) }
                case 0:
                    for k in 0..<size where values[base + k * inner] != 0 { norm += 1 }
                case 1:
                    for k in 0..<size { norm += Double(abs(values[base + k * inner])) }
                case 2:
                    for k in 0..<size {
                        let v = Double(values[base + k * inner])
                        norm += v * v
                    }
                    norm = norm.squareRoot()
                default:
                    for k in 0..<size { norm += pow(Double(abs(values[base + k * inner])), order) }
                    norm = pow(norm, 1 / order)
                }
                let divisor = norm == 0 ? 1 : Float(norm)
                for k in 0..<size { values[base + k * inner] /= divisor }
            }
        }
    }
    return result
}

// The tree of groups, datasets and attributes that an HDF5 file holds, as plain Swift values:
// what HDF5File reads and writes. Keras' weight files (`.weights.h5`, the legacy `.h5`) are
// such trees.

/// An n-dimensional array as HDF5 stores it: element type, shape and little-endian bytes in
/// row-major order.
public struct HDF5Array: Sendable, Equatable {
    /// The element type: float32/64, (u)int8/16/32/64 or bool (h5py stores numpy bools as an
    /// enum of int8). Always little-endian (or one byte).
    public var type: ScalarType
    /// The dimensions; `[]` for a scalar dataset.
    public var shape: [Int]
    /// The values, little-endian, row-major: `product(shape) * type.byteCount` bytes.
    public var bytes: [UInt8]

    /// An array of `shape` whose values `bytes` holds; big-endian bytes are swapped to little-endian.
    /// Throws `invalidData` when the byte count does not match the shape and type.
    public init(type: ScalarType, shape: [Int], bytes: [UInt8]) throws {
        guard let count = ArrayIO.elementCount(shape) else {
            throw KerasError.invalidData("HDF5 array: invalid shape \(ArrayIO.pythonShape(shape))")
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: type.byteCount)
        guard !overflow, expected == bytes.count else {
            throw KerasError.invalidData("HDF5 array: shape \(ArrayIO.pythonShape(shape)) of \(type.name) needs "
                                         + "\(overflow ? "too many" : String(expected)) bytes, got \(bytes.count)")
        }
        var bytes = bytes
        if type.byteOrder == .bigEndian { HDF5Array.swapBytes(&bytes, width: type.byteCount) }
        self.type = ScalarType(kind: type.kind, byteCount: type.byteCount, byteOrder: .littleEndian)
        self.shape = shape
        self.bytes = bytes
    }

    /// The values of `tensor` as a float32 array.
    public init(_ tensor: Tensor) {
        type = .float32
        shape = tensor.shape
        bytes = tensor.withUnsafeBufferPointer { scalars in NumPy.littleEndianBytes(scalars) { Array($0) } }
    }

    /// A scalar int64 (Keras stores an optimizer's iteration count so).
    public static func int64(_ value: Int64) -> HDF5Array {
        let bits = UInt64(bitPattern: value)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
        return HDF5Array(checkedType: ScalarType(kind: .signedInteger, byteCount: 8, byteOrder: .littleEndian), shape: [], bytes: bytes)
    }

    /// An array whose byte count the caller has checked.
    init(checkedType type: ScalarType, shape: [Int], bytes: [UInt8]) {
        self.type = type
        self.shape = shape
        self.bytes = bytes
    }

    /// The number of elements.
    public var count: Int { bytes.count / max(type.byteCount, 1) }

    /// The values converted to `Float` (integers and doubles rounded to the nearest float, bools 0 or 1).
    public func tensor() throws -> Tensor {
        guard let count = ArrayIO.elementCount(shape), count * type.byteCount == bytes.count else {
            throw KerasError.invalidData("HDF5 array: shape \(ArrayIO.pythonShape(shape)) does not match its \(bytes.count) bytes")
        }
        let type = ScalarType(kind: self.type.kind, byteCount: self.type.byteCount, byteOrder: .littleEndian)
        return bytes.withUnsafeBytes { raw in
            ArrayIO.makeTensor(shape: shape) { destination, count in
                type.convert(raw.baseAddress!, count: count, to: destination)
            }
        }
    }

    /// The value of a scalar (or one-element) integer or bool array; nil for other arrays.
    public var scalarInt: Int? {
        guard count == 1, bytes.count == type.byteCount, type.kind != .float else { return nil }
        var bits: UInt64 = 0
        for (i, byte) in bytes.enumerated() { bits |= UInt64(byte) << (8 * i) }
        switch type.kind {
        case .signedInteger:
            let shift = UInt64(64 - 8 * type.byteCount)
            return Int(Int64(bitPattern: bits << shift) >> Int64(shift))
        case .unsignedInteger:
            return bits > UInt64(Int.max) ? nil : Int(bits)
        default:
            return Int(bits)
        }
    }

    static func swapBytes(_ bytes: inout [UInt8], width: Int) {
        guard width > 1 else { return }
        bytes.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i + width <= buffer.count {
                var a = i, b = i + width - 1
                while a < b {
                    buffer.swapAt(a, b)
                    a += 1
                    b -= 1
                }
                i += width
            }
        }
    }
}

/// The value of an attribute of a group or dataset.
public enum HDF5Attribute: Sendable, Equatable {
    /// A string; h5py writes Python `str` attributes as variable-length UTF-8 strings, and a
    /// scalar fixed-length string (numpy bytes) reads as one too.
    case string(String)
    /// An array of strings: numpy arrays of bytes or str, such as Keras 2's `layer_names`.
    case strings([String])
    /// A numeric attribute (scalar or array).
    case array(HDF5Array)
}

/// A dataset: an array with attributes.
public struct HDF5Dataset: Sendable, Equatable {
    public var array: HDF5Array
    /// The attributes in file order (h5py's: by name, or by creation when the file tracks it).
    public var attributes: [(name: String, value: HDF5Attribute)]

    public init(_ array: HDF5Array, attributes: [(name: String, value: HDF5Attribute)] = []) {
        self.array = array
        self.attributes = attributes
    }

    /// The attribute called `name`, if any.
    public func attribute(_ name: String) -> HDF5Attribute? {
        attributes.first { $0.name == name }?.value
    }

    /// Sets (replaces or appends) the attribute called `name`.
    public mutating func setAttribute(_ name: String, _ value: HDF5Attribute) {
        HDF5Group.set(&attributes, name, value)
    }

    public static func == (a: HDF5Dataset, b: HDF5Dataset) -> Bool {
        a.array == b.array && a.attributes.elementsEqual(b.attributes) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A member of a group.
public indirect enum HDF5Node: Sendable, Equatable {
    case group(HDF5Group)
    case dataset(HDF5Dataset)
}

/// A group: named members (groups and datasets) and attributes, both ordered.
public struct HDF5Group: Sendable, Equatable {
    /// The attributes in file order (h5py's: by name, or by creation when the file tracks it).
    public var attributes: [(name: String, value: HDF5Attribute)]
    /// The members, as read (by name, as h5py lists them, or by creation order when the file
    /// tracks it) or as inserted. The writer stores them by name, as HDF5's old-style groups do.
    public var members: [(name: String, node: HDF5Node)]

    public init() {
        attributes = []
        members = []
    }

    /// The member at `path`: a direct child name or a path `a/b/c`. Setting nil removes it;
    /// setting a node creates the intermediate groups.
    public subscript(path: String) -> HDF5Node? {
        get {
            var names = HDF5Group.components(path)[...]
            guard let last = names.popLast() else { return .group(self) }
            var group = self
            for name in names {
                guard case .group(let child)? = group.child(name) else { return nil }
                group = child
            }
            return group.child(last)
        }
        set {
            var names = HDF5Group.components(path)[...]
            guard let first = names.popFirst() else { return }
            if names.isEmpty {
                if let index = members.firstIndex(where: { $0.name == first }) {
                    if let newValue { members[index].node = newValue } else { members.remove(at: index) }
                } else if let newValue {
                    members.append((first, newValue))
                }
                return
            }
            var child: HDF5Group
            if case .group(let existing)? = self.child(first) {
                child = existing
            } else {
                guard newValue != nil else { return }
                child = HDF5Group()
            }
            child[names.joined(separator: "/")] = newValue
            self[first] = .group(child)
        }
    }

    /// The group at `path`; throws `invalidData` naming the path when there is none.
    public func group(_ path: String) throws -> HDF5Group {
        switch self[path] {
        case .group(let group)?: return group
        case .dataset?: throw KerasError.invalidData("HDF5: '\(path)' is a dataset, not a group")
        case nil: throw KerasError.invalidData("HDF5: no group '\(path)' (members: \(memberList))")
        }
    }

    /// The dataset at `path`; throws `invalidData` naming the path when there is none.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        switch self[path] {
        case .dataset(let dataset)?: return dataset
        case .group?: throw KerasError.invalidData("HDF5: '\(path)' is a group, not a dataset")
        case nil: throw KerasError.invalidData("HDF5: no dataset '\(path)' (members: \(memberList))")
        }
    }

    /// Puts `group` at `path`, creating the intermediate groups.
    public mutating func setGroup(_ path: String, _ group: HDF5Group) {
        self[path] = .group(group)
    }

    /// Puts `dataset` at `path`, creating the intermediate groups.
    public mutating func setDataset(_ path: String, _ dataset: HDF5Dataset) {
        self[path] = .dataset(dataset)
    }

    /// The attribute called `name`, if any.
    public func attribute(_ name: String) -> HDF5Attribute? {
        attributes.first { $0.name == name }?.value
    }

    /// Sets (replaces or appends) the attribute called `name`.
    public mutating func setAttribute(_ name: String, _ value: HDF5Attribute) {
        HDF5Group.set(&attributes, name, value)
    }

    public static func == (a: HDF5Group, b: HDF5Group) -> Bool {
        a.attributes.elementsEqual(b.attributes) { $0.name == $1.name && $0.value == $1.value }
            && a.members.elementsEqual(b.members) { $0.name == $1.name && $0.node == $1.node }
    }

    private func child(_ name: String) -> HDF5Node? {
        members.first { $0.name == name }?.node
    }

    private var memberList: String {
        members.isEmpty ? "none" : members.map(\.name).joined(separator: ", ")
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func set(_ attributes: inout [(name: String, value: HDF5Attribute)], _ name: String, _ value: HDF5Attribute) {
        if let index = attributes.firstIndex(where: { $0.name == name }) {
            attributes[index].value = value
        } else {
            attributes.append((name, value))
        }
    }
}

extension HDF5Group {
    /// `group` with members and attributes sorted by name at every level: the order the
    /// writer stores them in, and so the order a written tree reads back in.
    static func sortedByName(_ group: HDF5Group) -> HDF5Group {
        var group = group
        let byName = { (a: String, b: String) in a.utf8.lexicographicallyPrecedes(b.utf8) }
        group.attributes.sort { byName($0.name, $1.name) }
        group.members.sort { byName($0.name, $1.name) }
        for i in group.members.indices {
            switch group.members[i].node {
            case .group(let child): group.members[i].node = .group(sortedByName(child))
            case .dataset(var dataset):
                dataset.attributes.sort { byName($0.name, $1.name) }
                group.members[i].node = .dataset(dataset)
            }
        }
        return group
    }
}

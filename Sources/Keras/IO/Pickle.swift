// A restricted reader of Python pickles: the plain data and NumPy arrays that Keras' datasets
// store (the CIFAR batches are Python 2 pickles of dicts holding a uint8 array and lists).

/// Reads Python pickles (protocols 0–5 in their binary opcodes) that hold only plain data —
/// `None`, booleans, integers, floats, byte and text strings, tuples, lists, dicts — and NumPy
/// arrays of bool, integer, float and object types.
///
/// Like Keras' `RestrictedUnpickler`, it calls nothing: the only globals it accepts are the
/// three NumPy names that rebuild an array (`numpy.core.multiarray._reconstruct` or its NumPy 2
/// spelling, `numpy.ndarray`, `numpy.dtype`), and it interprets them itself. Python 2 `str`
/// values come back as bytes, as `pickle.load(…, encoding="bytes")` gives them. Anything else,
/// and any malformed stream, throws `KerasError.invalidData`.
///
/// Reading takes time and memory linear in the input: a list grows in place, and the values a
/// stream builds — counting each reference to a memoized value as a copy, as the data's users
/// expand it — may hold at most `budget(forBytes:)` elements, 16 per input byte plus a million,
/// where plain data needs fewer than one per byte. Past it the stream throws.
enum Pickle {
    /// A value read from a pickle. Only the large payloads are `indirect`: containers' arrays
    /// already box their elements, and the millions of integers of IMDB take 24 bytes each.
    enum Value {
        case none
        case bool(Bool)
        case int(Int)
        case float(Double)
        case bytes([UInt8])
        case string(String)
        case tuple([Value])
        case list([Value])
        /// Keys and values in the order of the stream.
        case dict([(key: Value, value: Value)])
        indirect case array(Array)
        /// A NumPy array of Python objects (`dtype=object`), such as IMDB's ragged sequences.
        case objectArray(shape: [Int], items: [Value])
        /// An allowed global or an intermediate object of array reconstruction.
        indirect case numpy(NumPyObject)

        /// The value of `key` (a text or byte string) in a dict.
        subscript(key: String) -> Value? {
            guard case .dict(let entries) = self else { return nil }
            return entries.first { entry in
                switch entry.key {
                case .string(let text): return text == key
                case .bytes(let bytes): return bytes.elementsEqual(key.utf8)
                default: return false
                }
            }?.value
        }

        /// What the value is, for error messages.
        var kind: String {
            switch self {
            case .none: return "None"
            case .bool: return "a bool"
            case .int: return "an int"
            case .float: return "a float"
            case .bytes: return "bytes"
            case .string: return "a str"
            case .tuple(let items): return "a tuple of \(items.count)"
            case .list(let items): return "a list of \(items.count)"
            case .dict(let entries): return "a dict of \(entries.count)"
            case .array(let array): return "an array of shape \(ArrayIO.pythonShape(array.shape))"
            case .objectArray(let shape, _): return "an object array of shape \(ArrayIO.pythonShape(shape))"
            case .numpy: return "a NumPy object"
            }
        }
    }

    /// A NumPy array rebuilt from its pickled state.
    struct Array {
        var shape: [Int]
        var scalarType: ScalarType
        var isFortranOrder: Bool
        /// The raw values, `shape`'s element count times `scalarType.byteCount` bytes.
        var data: [UInt8]

        /// The values as a `Float` tensor in row-major order.
        var tensor: Tensor {
            let count = shape.reduce(1, *)
            return data.withUnsafeBytes { raw in
                guard isFortranOrder && shape.count > 1 && count > 0 else {
                    return ArrayIO.makeTensor(shape: shape) { scalarType.convert(raw.baseAddress!, count: $1, to: $0) }
                }
                let columnMajor = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    scalarType.convert(raw.baseAddress!, count: count, to: buffer.baseAddress!)
                    initialized = count
                }
                return ArrayIO.makeTensor(shape: shape) { destination, _ in
                    columnMajor.withUnsafeBufferPointer { ArrayIO.fortranToC($0.baseAddress!, shape: shape, into: destination) }
                }
            }
        }
    }

    /// The NumPy globals and the objects of array reconstruction before their state is set.
    enum NumPyObject {
        case reconstruct, ndarrayType, dtypeType
        /// `_reconstruct(ndarray, (0,), b'b')`: an empty array awaiting its state.
        case emptyArray
        /// `dtype('u1', 0, 1)`: a type code and its byte order (`=` until the state says).
        case dtype(code: String, byteOrder: String)
    }

    /// How deeply containers may nest (deeper values could exhaust the stack when released).
    static let maximumDepth = 100

    /// The elements (values, and the elements copied while building them) a stream of `count`
    /// bytes may produce.
    static func budget(forBytes count: Int) -> Int { 16 * count + 1 << 20 }

    /// Reads the pickle `bytes`; `name` names the file in errors.
    static func load(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Value {
        var reader = Reader(bytes: bytes, name: name)
        return try reader.run()
    }

    /// A value on the stack or in the memo, with its nesting depth, its size (the values in it,
    /// itself included, each shared one counted as often as it appears) and the memo slots that hold it.
    private struct Item {
        var value: Value
        var depth = 0
        var size = 1
        var memoKeys: [Int] = []
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let name: String
        var position = 0
        var stack: [Item] = []
        var marks: [Int] = []
        var memo: [Int: Item] = [:]
        /// Where the current opcode started, for messages.
        var opcodeStart = 0
        /// Elements produced or copied so far, and how many the input allows.
        var work = 0
        let budget: Int

        init(bytes: UnsafeRawBufferPointer, name: String) {
            self.bytes = bytes
            self.name = name
            budget = Pickle.budget(forBytes: bytes.count)
        }

        /// Counts `elements` against the budget.
        mutating func spend(_ elements: Int) throws {
            work += elements
            guard work <= budget else {
                throw fail("the stream expands to more than \(budget) values (16 per byte of its \(bytes.count) bytes, "
                            + "plus a million), as a memo reference bomb does")
            }
        }

        /// The item of a new container holding `items`.
        mutating func container(_ value: Value, of items: [Item]) throws -> Item {
            let size = items.reduce(1) { $0 + $1.size }
            try spend(items.count)
            guard size <= budget else { throw fail("a value of more than \(budget) elements (a memo reference bomb?)") }
            return Item(value: value, depth: 1 + (items.map(\.depth).max() ?? 0), size: size)
        }

        func fail(_ problem: String) -> KerasError {
            KerasError.invalidData("\(name): not a pickle Keras can read: \(problem) (at byte \(opcodeStart))")
        }

        mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
            guard count >= 0, count <= bytes.count - position else { throw fail("truncated") }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        }

        mutating func byte() throws -> Int { Int(try take(1)[0]) }

        /// An unsigned little-endian integer of `count` bytes (at most 8, and at most `Int.max`).
        mutating func unsigned(_ count: Int) throws -> Int {
            let raw = try take(count)
            var value: UInt64 = 0
            for i in (0..<count).reversed() { value = value << 8 | UInt64(raw[i]) }
            guard value <= UInt64(Int.max) else { throw fail("length \(value) is out of range") }
            return Int(value)
        }

        /// A line ending in `\n` (the text operands of GLOBAL).
        mutating func line() throws -> String {
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { throw fail("truncated") }
            defer { position = end + 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        }

        mutating func text(_ count: Int) throws -> String {
            guard let text = String(validating: try take(count), as: UTF8.self) else { throw fail("invalid UTF-8 in a str") }
            return text
        }

        mutating func push(_ value: Value, depth: Int = 0) throws {
            try push(Item(value: value, depth: depth))
        }

        mutating func push(_ item: Item) throws {
            guard item.depth <= Pickle.maximumDepth else { throw fail("values nested more than \(Pickle.maximumDepth) deep") }
            try spend(1)
            stack.append(item)
        }

        mutating func pop() throws -> Item {
            guard let item = stack.popLast() else { throw fail("stack underflow") }
            if let mark = marks.last, stack.count < mark { throw fail("stack underflow past a mark") }
            return item
        }

        /// The items above the last mark, which is removed.
        mutating func popMark() throws -> [Item] {
            guard let mark = marks.popLast() else { throw fail("no mark") }
            defer { stack.removeSubrange(mark...) }
            return Swift.Array(stack[mark...])
        }

        /// Grows the container on top of the stack by `items` through `grow`, in place: the
        /// stack's and the memo's references are let go first, so that the container's storage
        /// is not copied (unless another reference shares it; the copy counts against the budget).
        mutating func growTop(by items: [Item], _ grow: (inout Value) throws -> Void) throws {
            guard var top = stack.popLast() else { throw fail("stack underflow") }
            var value = top.value
            top.value = .none
            for key in top.memoKeys { memo[key]?.value = .none }
            let before = value.storageIdentity
            try grow(&value)
            if value.storageIdentity != before { try spend(value.elementCount) }
            top.value = value
            top.depth = max(top.depth, 1 + (items.map(\.depth).max() ?? 0))
            top.size += items.reduce(0) { $0 + $1.size }
            guard top.depth <= Pickle.maximumDepth else { throw fail("values nested more than \(Pickle.maximumDepth) deep") }
            guard top.size <= budget else { throw fail("a value of more than \(budget) elements (a memo reference bomb?)") }
            try spend(items.count)
            for key in top.memoKeys { memo[key] = Item(value: value, depth: top.depth, size: top.size, memoKeys: [key]) }
            stack.append(top)
        }

        /// Stores the top of the stack in memo slot `key`.
        mutating func put(_ key: Int) throws {
            guard !stack.isEmpty else { throw fail("stack underflow") }
            stack[stack.count - 1].memoKeys.append(key)
            let top = stack[stack.count - 1]
            memo[key] = Item(value: top.value, depth: top.depth, size: top.size, memoKeys: [key])
        }

        mutating func get(_ key: Int) throws {
            guard let item = memo[key] else { throw fail("memo key \(key) was never stored") }
            try push(item)
        }

        mutating func run() throws -> Value {
            while true {
                opcodeStart = position
                let opcode = try byte()
                switch UInt8(opcode) {
                case 0x80:  // PROTO
                    let version = try byte()
                    guard version <= 5 else { throw fail("unsupported pickle protocol \(version)") }
                case 0x95:  // FRAME: a length prefix only
                    _ = try take(8)
                case UInt8(ascii: "."):  // STOP
                    let result = try pop()
                    guard stack.isEmpty, marks.isEmpty else { throw fail("values left on the stack at the end") }
                    return result.value
                case UInt8(ascii: "("): marks.append(stack.count)  // MARK
                case UInt8(ascii: "0"): _ = try pop()  // POP
                case UInt8(ascii: "1"): _ = try popMark()  // POP_MARK
                case UInt8(ascii: "2"):  // DUP
                    guard let top = stack.last else { throw fail("stack underflow") }
                    try push(Item(value: top.value, depth: top.depth, size: top.size))
                case UInt8(ascii: "N"): try push(.none)
                case 0x88: try push(.bool(true))  // NEWTRUE
                case 0x89: try push(.bool(false))  // NEWFALSE
                case UInt8(ascii: "K"): try push(.int(try byte()))  // BININT1
                case UInt8(ascii: "M"): try push(.int(try unsigned(2)))  // BININT2
                case UInt8(ascii: "J"): try push(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))  // BININT
                case 0x8A:  // LONG1: a little-endian two's complement integer of n bytes
                    let count = try byte()
                    guard count <= 8 else { throw fail("integer of \(count) bytes is too large") }
                    let raw = try take(count)
                    var value: UInt64 = 0
                    for i in (0..<count).reversed() { value = value << 8 | UInt64(raw[i]) }
                    if count > 0 && count < 8 && raw[count - 1] & 0x80 != 0 { value |= ~0 << UInt64(8 * count) }
                    try push(.int(Int(Int64(bitPattern: value))))
                case UInt8(ascii: "G"):  // BINFLOAT: big-endian double
                    let raw = try take(8)
                    try push(.float(Double(bitPattern: raw.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
                case UInt8(ascii: "U"), UInt8(ascii: "C"): try push(.bytes(Swift.Array(try take(try byte()))))  // SHORT_BINSTRING, SHORT_BINBYTES
                case UInt8(ascii: "T"), UInt8(ascii: "B"): try push(.bytes(Swift.Array(try take(try unsigned(4)))))  // BINSTRING, BINBYTES
                case 0x8E: try push(.bytes(Swift.Array(try take(try unsigned(8)))))  // BINBYTES8
                case 0x8C: try push(.string(try text(try byte())))  // SHORT_BINUNICODE
                case UInt8(ascii: "X"): try push(.string(try text(try unsigned(4))))  // BINUNICODE
                case 0x8D: try push(.string(try text(try unsigned(8))))  // BINUNICODE8
                case UInt8(ascii: "}"): try push(.dict([]))  // EMPTY_DICT
                case UInt8(ascii: "]"): try push(.list([]))  // EMPTY_LIST
                case UInt8(ascii: ")"): try push(.tuple([]))  // EMPTY_TUPLE
                case UInt8(ascii: "t"):  // TUPLE
                    let items = try popMark()
                    try push(try container(.tuple(items.map(\.value)), of: items))
                case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                    var items: [Item] = []
                    for _ in 0..<(opcode - 0x84) { items.insert(try pop(), at: 0) }
                    try push(try container(.tuple(items.map(\.value)), of: items))
                case UInt8(ascii: "l"):  // LIST
                    let items = try popMark()
                    try push(try container(.list(items.map(\.value)), of: items))
                case UInt8(ascii: "a"), UInt8(ascii: "e"):  // APPEND, APPENDS
                    let items = opcode == UInt8(ascii: "a") ? [try pop()] : try popMark()
                    guard case .list = stack.last?.value else { throw fail("APPEND to something that is not a list") }
                    try growTop(by: items) { value in
                        guard case .list(var list) = value else { return }
                        value = .none
                        list += items.map(\.value)
                        value = .list(list)
                    }
                case UInt8(ascii: "d"), UInt8(ascii: "s"), UInt8(ascii: "u"):  // DICT, SETITEM, SETITEMS
                    let items: [Item]
                    if opcode == UInt8(ascii: "s") {
                        let value = try pop()
                        items = [try pop(), value]
                    } else {
                        items = try popMark()
                    }
                    guard items.count % 2 == 0 else { throw fail("odd number of items for a dict") }
                    for pair in stride(from: 0, to: items.count, by: 2) {
                        switch items[pair].value {
                        case .string, .bytes, .int, .bool, .none: break
                        default: throw fail("unsupported dict key: \(items[pair].value.kind)")
                        }
                    }
                    if opcode == UInt8(ascii: "d") {
                        try push(.dict([]))
                    } else {
                        guard case .dict = stack.last?.value else { throw fail("SETITEM on something that is not a dict") }
                    }
                    try growTop(by: items) { value in
                        guard case .dict(var entries) = value else { return }
                        value = .none
                        for pair in stride(from: 0, to: items.count, by: 2) { entries.append((items[pair].value, items[pair + 1].value)) }
                        value = .dict(entries)
                    }
                case UInt8(ascii: "q"): try put(try byte())  // BINPUT
                case UInt8(ascii: "r"): try put(try unsigned(4))  // LONG_BINPUT
                case 0x94: try put(memo.count)  // MEMOIZE
                case UInt8(ascii: "h"): try get(try byte())  // BINGET
                case UInt8(ascii: "j"): try get(try unsigned(4))  // LONG_BINGET
                case UInt8(ascii: "c"):  // GLOBAL
                    let module = try line(), name = try line()
                    try push(.numpy(try global(module, name)))
                case 0x93:  // STACK_GLOBAL
                    let name = try pop().value, module = try pop().value
                    guard case .string(let m) = module, case .string(let n) = name else { throw fail("STACK_GLOBAL needs two str") }
                    try push(.numpy(try global(m, n)))
                case UInt8(ascii: "R"):  // REDUCE
                    let arguments = try pop().value, callable = try pop().value
                    try push(.numpy(try reduce(callable, arguments)))
                case UInt8(ascii: "b"):  // BUILD
                    let state = try pop()
                    guard let target = stack.last?.value else { throw fail("stack underflow") }
                    let built = try build(target, state.value)
                    try growTop(by: [state]) { $0 = built }
                default:
                    throw fail("unsupported opcode 0x\(String(opcode, radix: 16))")
                }
            }
        }

        /// The allowed globals: the names NumPy's array pickles use, in NumPy 1 and 2 spellings.
        func global(_ module: String, _ name: String) throws -> NumPyObject {
            switch (module, name) {
            case ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"): return .reconstruct
            case ("numpy", "ndarray"): return .ndarrayType
            case ("numpy", "dtype"): return .dtypeType
            default: throw fail("refusing the global \(module).\(name) (only NumPy arrays and plain data are read)")
            }
        }

        func reduce(_ callable: Value, _ arguments: Value) throws -> NumPyObject {
            guard case .tuple(let arguments) = arguments else { throw fail("REDUCE without an argument tuple") }
            switch callable {
            case .numpy(.reconstruct):
                guard arguments.count == 3, case .numpy(.ndarrayType) = arguments[0] else {
                    throw fail("_reconstruct of something other than numpy.ndarray")
                }
                return .emptyArray
            case .numpy(.dtypeType):
                guard let first = arguments.first else { throw fail("dtype() without a type") }
                let code: String
                switch first {
                case .string(let text): code = text
                case .bytes(let bytes): code = String(decoding: bytes, as: UTF8.self)
                default: throw fail("dtype() of \(first.kind)")
                }
                return .dtype(code: code, byteOrder: "=")
            default:
                throw fail("REDUCE of \(callable.kind)")
            }
        }

        /// Sets the state of a dtype (`(3, '<', …)`) or of an array (`(1, shape, dtype, fortran, data)`).
        func build(_ target: Value, _ state: Value) throws -> Value {
            guard case .tuple(let fields) = state else { throw fail("BUILD with \(state.kind) as state") }
            switch target {
            case .numpy(.dtype(let code, _)):
                guard fields.count >= 2 else { throw fail("dtype state of \(fields.count) fields") }
                switch fields[1] {
                case .string(let order): return .numpy(.dtype(code: code, byteOrder: order))
                case .bytes(let order): return .numpy(.dtype(code: code, byteOrder: String(decoding: order, as: UTF8.self)))
                default: throw fail("dtype byte order is \(fields[1].kind)")
                }
            case .numpy(.emptyArray):
                // (version, shape, dtype, is_fortran, data); NumPy also accepts it without the version.
                let values = fields.count == 5 ? Swift.Array(fields.dropFirst()) : fields
                guard values.count == 4 else { throw fail("array state of \(fields.count) fields") }
                guard case .tuple(let dimensions) = values[0] else { throw fail("array shape is \(values[0].kind)") }
                let shape = try dimensions.map { dimension -> Int in
                    guard case .int(let size) = dimension, size >= 0 else { throw fail("array dimension \(dimension.kind)") }
                    return size
                }
                guard case .numpy(.dtype(let code, let order)) = values[1] else { throw fail("array dtype is \(values[1].kind)") }
                if code.hasPrefix("O") {
                    // Objects: the data is a list of the elements in C order.
                    guard case .list(let items) = values[3], ArrayIO.elementCount(shape) == items.count else {
                        throw fail("object array of shape \(ArrayIO.pythonShape(shape)) with \(values[3].kind) as data")
                    }
                    return .objectArray(shape: shape, items: items)
                }
                guard let type = ScalarType(descr: order + code) else {
                    throw fail("unsupported array dtype '\(order)\(code)': only bool, integer and float types can be read")
                }
                let fortran: Bool
                switch values[2] {
                case .bool(let flag): fortran = flag
                case .int(let flag): fortran = flag != 0
                default: throw fail("array order flag is \(values[2].kind)")
                }
                guard case .bytes(let data) = values[3] else { throw fail("array data is \(values[3].kind)") }
                guard let count = ArrayIO.elementCount(shape), count.multipliedReportingOverflow(by: type.byteCount) == (data.count, false) else {
                    throw fail("array of shape \(ArrayIO.pythonShape(shape)) and type \(type.descr) with \(data.count) bytes of data")
                }
                return .array(Array(shape: shape, scalarType: type, isFortranOrder: fortran, data: data))
            default:
                throw fail("BUILD of \(target.kind)")
            }
        }
    }
}

extension Pickle.Value {
    /// The address of a list's or dict's element storage (nil for other values): when it changes
    /// as the container grows, its elements were moved or copied.
    var storageIdentity: UnsafeRawPointer? {
        switch self {
        case .list(let items): return items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        case .dict(let entries): return entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        default: return nil
        }
    }

    /// The number of elements of a list or dict (0 for other values).
    var elementCount: Int {
        switch self {
        case .list(let items): return items.count
        case .dict(let entries): return entries.count
        default: return 0
        }
    }
}

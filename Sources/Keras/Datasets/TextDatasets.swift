// `keras.datasets.imdb` and `reuters`: word-index sequences from Keras' `.npz` files (object
// arrays, read by the restricted unpickler), and their word indexes.

import Foundation

extension Datasets {
    /// Sequences of word indexes and their labels.
    public typealias SequenceSplit = (x: [[Int]], y: Tensor)

    /// How word indexes are rewritten, as the `imdb` and `reuters` loaders of Keras take them.
    public struct SequenceOptions: Sendable {
        /// Keep the `numWords` most frequent words (indexes below it); nil keeps all.
        public var numWords: Int?
        /// Drop (or mark out-of-vocabulary) the `skipTop` most frequent words.
        public var skipTop = 0
        /// Drop sequences of `maxLength` words or more.
        public var maxLength: Int?
        /// The seed of the shuffle (NumPy's `RandomState`, as Keras).
        public var seed: UInt32 = 113
        /// The index that starts every sequence; nil for none.
        public var startChar: Int? = 1
        /// The index that replaces the words left out; nil drops them.
        public var oovChar: Int? = 2
        /// What is added to every word index (0, 1 and 2 are reserved by default).
        public var indexFrom = 3

        public init(numWords: Int? = nil, skipTop: Int = 0, maxLength: Int? = nil, seed: UInt32 = 113,
                    startChar: Int? = 1, oovChar: Int? = 2, indexFrom: Int = 3) {
            self.numWords = numWords
            self.skipTop = skipTop
            self.maxLength = maxLength
            self.seed = seed
            self.startChar = startChar
            self.oovChar = oovChar
            self.indexFrom = indexFrom
        }
    }

    /// The IMDB movie reviews (`keras.datasets.imdb.load_data`): 25,000 training and 25,000 test
    /// reviews as sequences of word indexes (by frequency), labelled 1 (positive) or 0.
    ///
    /// Reads (or downloads) Keras' `imdb.npz`; `options` are Keras' arguments. Pad the
    /// sequences with `padSequences` to train on them; `imdbWordIndex()` maps words to indexes.
    public static func imdb(path: String = "imdb.npz", options: SequenceOptions = .init()) throws
        -> (train: SequenceSplit, test: SequenceSplit) {
        try imdb(path: path, options: options, directories: defaultDirectories, downloader: .standard)
    }

    /// The Reuters newswires (`keras.datasets.reuters.load_data`): 11,228 newswires as sequences
    /// of word indexes, labelled with one of 46 topics, split into training and test sets.
    ///
    /// Reads (or downloads) Keras' `reuters.npz`; shuffled, then the first `1 - testSplit` train.
    public static func reuters(path: String = "reuters.npz", testSplit: Double = 0.2,
                               options: SequenceOptions = .init()) throws -> (train: SequenceSplit, test: SequenceSplit) {
        try reuters(path: path, testSplit: testSplit, options: options, directories: defaultDirectories, downloader: .standard)
    }

    /// The word index of the IMDB sequences (`imdb.get_word_index`): word → index, before `indexFrom` is added.
    public static func imdbWordIndex(path: String = "imdb_word_index.json") throws -> [String: Int] {
        try wordIndex(RemoteFile(name: path, origin: URL(string: origin + "imdb_word_index.json")!,
                                 hash: "bfafd718b763782e994055a2d397834f"),
                      title: "The IMDB word index", directories: defaultDirectories, downloader: .standard)
    }

    /// The word index of the Reuters sequences (`reuters.get_word_index`).
    public static func reutersWordIndex(path: String = "reuters_word_index.json") throws -> [String: Int] {
        try wordIndex(RemoteFile(name: path, origin: URL(string: origin + "reuters_word_index.json")!,
                                 hash: "4d44cc38712099c9e383dc6e5f11a921"),
                      title: "The Reuters word index", directories: defaultDirectories, downloader: .standard)
    }

    static func imdb(path: String, options: SequenceOptions, directories: [URL],
                     downloader: Downloader? = nil) throws -> (train: SequenceSplit, test: SequenceSplit) {
        try options.validate()
        let url = try fetch(RemoteFile(name: path, origin: URL(string: origin + "imdb.npz")!,
                                       hash: "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
                            title: "IMDB", directories: directories, downloader: downloader)
        let members = try NumPy.loadArchiveMembers(url)
        var generator = MersenneTwister(seed: options.seed)
        var splits: [(x: [[Int]], y: [Float])] = []
        for (xKey, yKey) in [("x_train", "y_train"), ("x_test", "y_test")] {
            let (x, y) = try sequencesAndLabels(members, xKey, yKey, url: url)
            let order = generator.permutation(x.count)
            let prepared = options.prefixed(order.map { x[$0] })
            splits.append(options.filtered(prepared, order.map { y[$0] }))
        }
        guard options.maxLength == nil || (!splits[0].x.isEmpty && !splits[1].x.isEmpty) else {
            throw KerasError.invalidArgument(name: "maxLength", value: "\(options.maxLength!)",
                                             expected: "a length that keeps some sequences (increase it)")
        }
        let xs = options.restricted(splits[0].x + splits[1].x)
        let count = splits[0].x.count
        return ((Array(xs[..<count]), Tensor(splits[0].y)), (Array(xs[count...]), Tensor(splits[1].y)))
    }

    static func reuters(path: String, testSplit: Double, options: SequenceOptions, directories: [URL],
                        downloader: Downloader? = nil) throws -> (train: SequenceSplit, test: SequenceSplit) {
        guard testSplit >= 0 && testSplit <= 1 else {
            throw KerasError.invalidArgument(name: "testSplit", value: "\(testSplit)", expected: "a fraction in [0, 1]")
        }
        try options.validate()
        let url = try fetch(RemoteFile(name: path, origin: URL(string: origin + "reuters.npz")!,
                                       hash: "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
                            title: "Reuters", directories: directories, downloader: downloader)
        let (x, y) = try sequencesAndLabels(try NumPy.loadArchiveMembers(url), "x", "y", url: url)
        var generator = MersenneTwister(seed: options.seed)
        let order = generator.permutation(x.count)
        let filtered = options.filtered(options.prefixed(order.map { x[$0] }), order.map { y[$0] })
        let xs = options.restricted(filtered.x)
        let count = Int(Double(xs.count) * (1 - testSplit))
        return ((Array(xs[..<count]), Tensor(Array(filtered.y[..<count]))),
                (Array(xs[count...]), Tensor(Array(filtered.y[count...]))))
    }

    /// The sequences `xKey` (an object array of lists of ints) and labels `yKey` of an archive.
    static func sequencesAndLabels(_ members: [String: NumPy.Member], _ xKey: String, _ yKey: String,
                                   url: URL) throws -> (x: [[Int]], y: [Float]) {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(url.path): \(problem)") }
        guard case .objects(let shape, let items)? = members[xKey], shape.count == 1 else {
            throw fail("expected '\(xKey)', a 1-D object array of sequences; the archive has \(members.keys.sorted())")
        }
        guard case .numbers(let labels)? = members[yKey], labels.tensor.shape == [items.count] else {
            throw fail("expected '\(yKey)', \(items.count) labels; the archive has \(members.keys.sorted())")
        }
        // Word indexes count words by frequency: anything beyond 2^31 is damage, and would
        // overflow once `indexFrom` is added.
        func word(_ value: Int?, _ index: Int) throws -> Int {
            guard let value, (0...Int(Int32.max)).contains(value) else {
                throw fail("\(xKey)[\(index)] holds \(value.map(String.init) ?? "a number beyond Int"), not a word index (0 to 2^31 - 1)")
            }
            return value
        }
        let sequences = try items.enumerated().map { index, item -> [Int] in
            switch item {
            case .list(let words):
                return try words.map { value in
                    guard case .int(let value) = value else { throw fail("\(xKey)[\(index)] holds \(value.kind), not word indexes") }
                    return try word(value, index)
                }
            case .array(let array) where array.shape.count == 1 && array.scalarType.kind != .float:
                return try array.tensor.scalars.map { try word(Int(exactly: $0), index) }
            default:
                throw fail("\(xKey)[\(index)] is \(item.kind), not a sequence of word indexes")
            }
        }
        return (sequences, labels.tensor.scalars)
    }

    static func wordIndex(_ file: RemoteFile, title: String, directories: [URL], downloader: Downloader?) throws -> [String: Int] {
        let url = try fetch(file, title: title, directories: directories, downloader: downloader)
        let bytes = try FileIO.read(url)
        guard let index = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Int] else {
            throw KerasError.invalidData("\(url.path): not a JSON object of words and indexes")
        }
        return index
    }
}

extension Datasets.SequenceOptions {
    /// Throws for an `indexFrom` that word indexes (below 2^31) could not be shifted by.
    func validate() throws {
        guard (0...Int(Int32.max)).contains(indexFrom) else {
            throw KerasError.invalidArgument(name: "indexFrom", value: "\(indexFrom)", expected: "0 to 2^31 - 1 (Keras uses 3)")
        }
    }

    /// `startChar` and `indexFrom` applied.
    func prefixed(_ sequences: [[Int]]) -> [[Int]] {
        sequences.map { sequence in (startChar.map { [$0] } ?? []) + sequence.map { $0 + indexFrom } }
    }

    /// Without the sequences of `maxLength` words or more.
    func filtered(_ x: [[Int]], _ y: [Float]) -> (x: [[Int]], y: [Float]) {
        guard let maxLength, maxLength > 0 else { return (x, y) }
        let kept = x.indices.filter { x[$0].count < maxLength }
        return (kept.map { x[$0] }, kept.map { y[$0] })
    }

    /// Words outside `skipTop..<numWords` replaced by `oovChar`, or dropped.
    func restricted(_ sequences: [[Int]]) -> [[Int]] {
        let limit = numWords.flatMap { $0 > 0 ? $0 : nil } ?? (sequences.compactMap { $0.max() }.max() ?? 0)
        let vocabulary = skipTop..<max(skipTop, limit)
        if let oovChar {
            return sequences.map { $0.map { vocabulary.contains($0) ? $0 : oovChar } }
        }
        return sequences.map { $0.filter { vocabulary.contains($0) } }
    }
}

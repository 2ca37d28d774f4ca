import Foundation
import Testing
@testable import Keras

// keras.datasets loaders (on small files the tests write, and on the real Fashion-MNIST when
// KERAS_REAL_DATA=1) and the keras.utils helpers: to_categorical, normalize, pad_sequences,
// split_dataset, shuffling, and NumPy's RandomState shuffle behind Boston Housing's split.

/// Whether the real-data test runs: `KERAS_REAL_DATA=1` and Debian's Fashion-MNIST installed.
let fashionMNISTRealDataAvailable: Bool =
    ProcessInfo.processInfo.environment["KERAS_REAL_DATA"] == "1"
        && Datasets.fashionMNISTFiles.allSatisfy {
            FileManager.default.fileExists(atPath: Datasets.fashionMNISTSystemDirectory.appendingPathComponent($0).path)
        }

@Suite struct DatasetTests {
    typealias F = FormatFixtures

    // MARK: Keras cache and loaders on small files

    @Test func cacheFoldersFollowKeras() {
        #expect(Datasets.cacheDirectories(environment: ["HOME": "/home/me"]).map(\.path)
                    == ["/home/me/.keras/datasets", "/tmp/.keras/datasets"])
        #expect(Datasets.cacheDirectories(environment: ["HOME": "/home/me", "KERAS_HOME": "/data/keras"]).map(\.path)
                    == ["/data/keras/datasets", "/tmp/.keras/datasets"])
        #expect(Datasets.cacheDirectories(environment: ["HOME": "/home/me", "KERAS_HOME": "~/k"]).map(\.path)[0]
                    == "/home/me/k/datasets")
        #expect(Datasets.cacheDirectories(environment: ["HOME": "/tmp"]).map(\.path) == ["/tmp/.keras/datasets"])
    }

    /// `count` fake 28×28 images (pixel = (sample + row + column) mod 256) and labels `sample mod 10`.
    static func fakeImages(_ count: Int) -> (images: [UInt8], labels: [UInt8]) {
        var images: [UInt8] = []
        for sample in 0..<count {
            for row in 0..<28 { for column in 0..<28 { images.append(UInt8((sample + row + column) % 256)) } }
        }
        return (images, (0..<count).map { UInt8($0 % 10) })
    }

    @Test func fashionMNISTReadsTheFourGzipFilesFromTheCache() throws {
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let folder = cache.appendingPathComponent("fashion-mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let train = Self.fakeImages(12), test = Self.fakeImages(5)
        try F.write(F.gzipStored(F.idxBytes(shape: [12], values: train.labels)), to: folder.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try F.write(F.gzipStored(F.idxBytes(shape: [12, 28, 28], values: train.images)), to: folder.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try F.write(F.gzipStored(F.idxBytes(shape: [5], values: test.labels)), to: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))

        // Three of four files: the error names the missing one and where to put it.
        let empty = cache.appendingPathComponent("elsewhere")
        F.expectInvalidData(["Fashion-MNIST", "t10k-images-idx3-ubyte.gz", empty.path, "lacks t10k-images-idx3-ubyte.gz",
                             "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"]) {
            _ = try Datasets.fashionMNIST(directories: [empty, folder])
        }
        try F.write(F.gzipStored(F.idxBytes(shape: [5, 28, 28], values: test.images)), to: folder.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST(directories: [empty, folder])
        #expect(xTrain.shape == [12, 28, 28] && yTrain.shape == [12])
        #expect(xTest.shape == [5, 28, 28] && yTest.shape == [5])
        #expect(xTrain.scalars == train.images.map(Float.init))
        #expect(yTest.scalars == [0, 1, 2, 3, 4])

        // Labels that do not match the images.
        try F.write(F.gzipStored(F.idxBytes(shape: [4], values: [1, 2, 3, 4])), to: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        F.expectInvalidData(["test images and labels", "(5, 28, 28)", "(4,)"]) { _ = try Datasets.fashionMNIST(directories: [folder]) }
    }

    @Test func mnistReadsKerasNpz() throws {
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        F.expectInvalidData(["MNIST", "mnist.npz", cache.path, "731c5ac6"]) { _ = try Datasets.mnist(path: "mnist.npz", directories: [cache]) }
        let train = Self.fakeImages(6), test = Self.fakeImages(3)
        let arrays: [String: Tensor] = [
            "x_train": Tensor(shape: [6, 28, 28], scalars: train.images.map(Float.init)),
            "y_train": Tensor(shape: [6], scalars: train.labels.map(Float.init)),
            "x_test": Tensor(shape: [3, 28, 28], scalars: test.images.map(Float.init)),
            "y_test": Tensor(shape: [3], scalars: test.labels.map(Float.init)),
        ]
        try NumPy.saveArchive(arrays, to: cache.appendingPathComponent("mnist.npz"))
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.mnist(path: "mnist.npz", directories: [cache])
        #expect(xTrain == arrays["x_train"] && yTrain == arrays["y_train"])
        #expect(xTest == arrays["x_test"] && yTest == arrays["y_test"])
        // An absolute path works too; a missing key is named.
        var partial = arrays
        partial["y_test"] = nil
        let other = cache.appendingPathComponent("partial.npz")
        try NumPy.saveArchive(partial, to: other)
        F.expectInvalidData(["no array 'y_test'"]) { _ = try Datasets.mnist(path: other.path, directories: []) }
        // The archive numpy wrote (uint8 images) reads the same way.
        let stored = F.url("archive_stored.npz")
        let npz = try NumPy.loadArchiveArrays(stored)
        #expect(npz["x_train"]?.scalarType == .uint8 && npz["x_train"]?.tensor.shape == [8, 28, 28])
    }

    /// MNIST as distributed: the four IDX files, gzip or plain, in the cache's `mnist/` folder or a folder given.
    @Test func mnistReadsTheFourIDXFilesPlainOrGzip() throws {
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let folder = cache.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let train = Self.fakeImages(7), test = Self.fakeImages(4)
        try F.write(F.gzipStored(F.idxBytes(shape: [7, 28, 28], values: train.images)), to: folder.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try F.write(F.idxBytes(shape: [7], values: train.labels), to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        try F.write(F.idxBytes(shape: [4, 28, 28], values: test.images), to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        // Three of four: the error names the npz, the IDX alternative, the missing file and where to put it.
        F.expectInvalidData(["MNIST", "mnist.npz", "731c5ac6", "train-images-idx3-ubyte(.gz)", folder.path + "/",
                             "lacks t10k-labels-idx1-ubyte.gz", "directory:"]) {
            _ = try Datasets.mnist(path: "mnist.npz", directories: [cache])
        }
        try F.write(F.gzipStored(F.idxBytes(shape: [4], values: test.labels)), to: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.mnist(path: "mnist.npz", directories: [cache])
        #expect(xTrain.shape == [7, 28, 28] && yTrain.scalars == train.labels.map(Float.init))
        #expect(xTest.scalars == test.images.map(Float.init) && yTest.scalars == [0, 1, 2, 3])
        // The public loader takes the folder itself.
        let ((given, _), _) = try Datasets.mnist(directory: folder.path)
        #expect(given == xTrain)
    }

    @Test func pimaIndiansDiabetesIsEmbedded() throws {
        let (x, y) = try Datasets.pimaIndiansDiabetes()
        #expect(x.shape == [768, 8] && y.shape == [768])
        #expect(x[0].scalars == [6, 148, 72, 35, 0, 33.6, 0.627, 50])
        #expect(Set(y.scalars) == [0, 1] && y.sum().scalar == 268)   // 268 diabetic, 500 not
        #expect(Datasets.pimaIndiansDiabetesColumns.count == 9 && Datasets.pimaIndiansDiabetesColumns.last == "Outcome")
    }

    @Test func randomStatePermutationsMatchNumPy() {
        #expect(F.expected.random_state_permutations.count == 5)
        for case_ in F.expected.random_state_permutations {
            var generator = MersenneTwister(seed: case_.seed)
            let order = generator.permutation(case_.count)
            #expect(Array(order.prefix(50)) == case_.head, "seed \(case_.seed), \(case_.count)")
            let weighted = order.enumerated().reduce(0) { $0 + $1.offset * $1.element }
            #expect(weighted == case_.weighted_sum, "seed \(case_.seed), \(case_.count)")
        }
    }

    @Test func bostonHousingSplitsAsKeras() throws {
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        F.expectInvalidData(["Boston Housing", "boston_housing.npz"]) {
            _ = try Datasets.bostonHousing(path: "boston_housing.npz", testSplit: 0.2, seed: 113, directories: [cache])
        }
        // Row i holds i in every column, so the split shows the permutation.
        let x = Tensor(shape: [506, 13], scalars: (0..<506).flatMap { i in [Float](repeating: Float(i), count: 13) })
        let y = Tensor(shape: [506], scalars: (0..<506).map { Float($0) / 10 })
        try NumPy.saveArchive(["x": x, "y": y], to: cache.appendingPathComponent("boston_housing.npz"))
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.bostonHousing(path: "boston_housing.npz", testSplit: 0.2,
                                                                              seed: 113, directories: [cache])
        #expect(xTrain.shape == [404, 13] && yTrain.shape == [404])
        #expect(xTest.shape == [102, 13] && yTest.shape == [102])
        let permutation = F.expected.random_state_permutations.first { $0.seed == 113 && $0.count == 506 }!
        #expect(Array(xTrain[.all, 0].scalars.prefix(50)) == permutation.head.map(Float.init))
        #expect(yTrain.scalars.prefix(50).map { Int(($0 * 10).rounded()) } == permutation.head)
        let all = Set((xTrain[.all, 0].scalars + xTest[.all, 0].scalars).map(Int.init))
        #expect(all == Set(0..<506))
        #expect(throws: KerasError.self) {
            _ = try Datasets.bostonHousing(path: "boston_housing.npz", testSplit: 1, seed: 113, directories: [cache])
        }
        let (train, test) = try Datasets.bostonHousing(path: "boston_housing.npz", testSplit: 0, seed: 1, directories: [cache])
        #expect(train.x.shape == [506, 13] && test.x.shape == [0, 13])
    }

    // MARK: toCategorical, normalize, padSequences against Keras

    @Test func toCategoricalMatchesKeras() throws {
        let cases = try #require(F.expected.keras_utils?.to_categorical)
        #expect(cases.count == 5)
        for c in cases {
            let labels = Tensor(shape: c.shape, scalars: c.labels)
            let result = try toCategorical(labels, numClasses: c.num_classes)
            #expect(result.shape == c.result_shape, "\(c.labels)")
            #expect(result.scalars == c.result, "\(c.labels)")
        }
        #expect(try toCategorical(Tensor([0, 2, 1])) == Tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0]]))
        F.expectInvalidData(["label -1.0"]) { _ = try toCategorical(Tensor([0, -1])) }
        F.expectInvalidData(["label 0.5"]) { _ = try toCategorical(Tensor([0.5])) }
        F.expectInvalidData(["not below numClasses = 3"]) { _ = try toCategorical(Tensor([3]), numClasses: 3) }
        F.expectInvalidData(["nan"]) { _ = try toCategorical(Tensor([.nan])) }
        #expect(throws: KerasError.self) { _ = try toCategorical(Tensor([1]), numClasses: 0) }
        #expect(throws: KerasError.self) { _ = try toCategorical(Tensor(shape: [0], scalars: [])) }
        #expect(try toCategorical(Tensor(shape: [0], scalars: []), numClasses: 4).shape == [0, 4])
    }

    @Test func normalizeMatchesKeras() throws {
        let cases = try #require(F.expected.keras_utils?.normalize)
        #expect(cases.count == 6)
        for c in cases {
            let result = try normalize(Tensor(shape: c.shape, scalars: c.x), axis: c.axis, order: c.order.value)
            #expect(result.shape == c.shape)
            for (got, want) in zip(result.scalars, c.result) {
                #expect(abs(got - want) <= 2e-6 * max(1, abs(want)), "axis \(c.axis) order \(c.order.value)")
            }
        }
        // Keras turns axis 0 into -1; here axis 0 means the first axis.
        let x = Tensor([[3, 0], [4, 5]])
        #expect(try normalize(x, axis: 0) == Tensor([[0.6, 0], [0.8, 1]]))
        #expect(try normalize(Tensor([0, 0])) == Tensor([0, 0]))
        #expect(try normalize(Tensor([-4, 2]), order: -.infinity) == Tensor([-2, 1]))
        #expect(throws: KerasError.self) { _ = try normalize(Tensor([1, 2]), axis: 1) }
        #expect(throws: KerasError.self) { _ = try normalize(Tensor(3)) }
        #expect(throws: KerasError.self) { _ = try padSequences([[1, 2]] as [[Int]], maxLength: -1) }
    }

    @Test func padSequencesMatchesKeras() throws {
        let cases = try #require(F.expected.keras_utils?.pad_sequences)
        #expect(cases.count == 24)
        for c in cases {
            let result = try padSequences(c.sequences, maxLength: c.maxlen, padding: SequencePadding(rawValue: c.padding)!,
                                      truncating: SequencePadding(rawValue: c.truncating)!, value: c.value)
            #expect(result.shape == c.shape)
            #expect(result.scalars == c.result, "maxlen \(String(describing: c.maxlen)) \(c.padding) \(c.truncating) \(c.value)")
        }
        #expect(try padSequences([[Float]]()).shape == [0, 0])
        #expect(try padSequences([[1.5, 2.5], [3]] as [[Float]], value: -1) == Tensor([[1.5, 2.5], [-1, 3]]))
        #expect(try padSequences([[1, 2, 3]], maxLength: 0).shape == [1, 0])
    }

    // MARK: Shuffling and splitting

    @Test func shuffledKeepsPairsTogetherAndRepeatsWithASeed() throws {
        let x = Tensor(shape: [50, 2], scalars: (0..<100).map(Float.init))
        let y = Tensor(shape: [50], scalars: (0..<50).map(Float.init))
        let (sx, sy) = try shuffled(x, y, seed: 4)
        #expect(sx.shape == [50, 2] && sy.shape == [50])
        for i in 0..<50 {
            #expect(sx[i, 0].scalar == 2 * sy[i].scalar && sx[i, 1].scalar == 2 * sy[i].scalar + 1)
        }
        #expect(Set(sy.scalars) == Set(y.scalars) && sy != y)
        #expect(try shuffled(x, y, seed: 4).x == sx)
        #expect(try shuffled(x, y, seed: 5).x != sx)
        let a = Keras.withRandomSeed(9) { try? shuffled([y]) }, b = Keras.withRandomSeed(9) { try? shuffled([y]) }
        #expect(a != nil && a == b)
        F.expectInvalidData(["tensor 1 has 3 samples", "tensor 0 has 50"]) { _ = try shuffled([y, Tensor([1, 2, 3])]) }
        F.expectInvalidData(["scalar"]) { _ = try shuffled([Tensor(1)]) }
    }

    @Test func splitDatasetSizesFollowKeras() throws {
        let x = Tensor(shape: [10, 3], scalars: (0..<30).map(Float.init))
        let y = Tensor((0..<10).map(Float.init))
        var (left, right) = try splitDataset([x, y], leftSize: 0.8)
        #expect(left[0].shape == [8, 3] && left[1] == Tensor((0..<8).map(Float.init)))
        #expect(right[1] == Tensor([8, 9]))
        (left, right) = try splitDataset([x, y], leftSize: 0.25)  // round(2.5) = 2, half to even
        #expect(left[1].shape == [2] && right[1].shape == [8])
        (left, right) = try splitDataset([x, y], rightSize: 3)
        #expect(left[1].shape == [7] && right[1] == Tensor([7, 8, 9]))
        (left, right) = try splitDataset([x, y], leftSize: 2, rightSize: 3)  // the middle is dropped, as in Keras
        #expect(left[1] == Tensor([0, 1]) && right[1] == Tensor([7, 8, 9]))
        (left, right) = try splitDataset([x, y], leftSize: 0.5, shuffle: true, seed: 1)
        #expect(Set(left[1].scalars + right[1].scalars) == Set(y.scalars))
        for i in 0..<5 { #expect(left[0][i, 0].scalar == 3 * left[1][i].scalar) }
        for bad: (SplitSize?, SplitSize?) in [(nil, nil), (1.0, nil), (0.0, nil), (10, nil), (0, nil), (nil, -1),
                                              (0.7, 0.4), (6, 5), (0.01, nil)] {
            #expect(throws: KerasError.self, "\(String(describing: bad))") { _ = try splitDataset([x, y], leftSize: bad.0, rightSize: bad.1) }
        }
    }

    @Test func trainValidationTestSplitPartitionsTheSamples() throws {
        let x = Tensor(shape: [20, 2], scalars: (0..<40).map(Float.init))
        let y = Tensor((0..<20).map(Float.init))
        let (train, validation, test) = try trainValidationTestSplit([x, y], validation: 0.2, test: 0.1, seed: 3)
        #expect(train[1].shape == [14] && validation[1].shape == [4] && test[1].shape == [2])
        #expect(Set(train[1].scalars + validation[1].scalars + test[1].scalars) == Set(y.scalars))
        for part in [train, validation, test] {
            for i in 0..<part[1].shape[0] { #expect(part[0][i, 0].scalar == 2 * part[1][i].scalar) }
        }
        let ordered = try trainValidationTestSplit([y], validation: 0, test: 0.25, shuffle: false)
        #expect(ordered.train[0] == Tensor((0..<15).map(Float.init)) && ordered.validation[0].shape == [0])
        #expect(throws: KerasError.self) { _ = try trainValidationTestSplit([y], validation: 0.5, test: 0.5) }
        #expect(throws: KerasError.self) { _ = try trainValidationTestSplit([y], validation: -0.1, test: 0.1) }
    }

    // MARK: The real Fashion-MNIST (KERAS_REAL_DATA=1, release build in CI)

    @Test(.enabled(if: fashionMNISTRealDataAvailable, "set KERAS_REAL_DATA=1 with dataset-fashion-mnist installed"))
    func fashionMNISTRealData() throws {
        let start = Date()
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST()
        let loading = Date().timeIntervalSince(start)
        #expect(xTrain.shape == [60000, 28, 28] && yTrain.shape == [60000])
        #expect(xTest.shape == [10000, 28, 28] && yTest.shape == [10000])
        func counts(_ labels: Tensor) -> [Int] {
            var counts = [Int](repeating: 0, count: 10)
            for label in labels.scalars { counts[Int(label)] += 1 }
            return counts
        }
        #expect(counts(yTrain) == [Int](repeating: 6000, count: 10))
        #expect(counts(yTest) == [Int](repeating: 1000, count: 10))
        #expect(Array(yTrain.scalars.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        // Pixel sums from numpy: every byte of the images decoded right.
        #expect(xTrain.scalars.reduce(0.0) { $0 + Double($1) } == 3_431_114_169)
        #expect(xTest.scalars.reduce(0.0) { $0 + Double($1) } == 573_469_082)
        #expect(xTrain.scalars.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() })

        // Inflate speed on the 26 MB training images.
        let path = Datasets.fashionMNISTSystemDirectory.appendingPathComponent("train-images-idx3-ubyte.gz")
        let compressed = try FileIO.read(path)
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = Date()
            let bytes = try Inflate.gzip(compressed, name: path.path)
            best = min(best, Date().timeIntervalSince(t0))
            #expect(bytes.count == 47_040_016)
        }
        print("Fashion-MNIST: loaded in \(String(format: "%.2f", loading)) s; inflating the training images "
              + "(\(compressed.count) bytes to 47040016): \(String(format: "%.0f", best * 1000)) ms, "
              + "\(String(format: "%.0f", 47_040_016 / best / 1e6)) MB/s")
    }
}

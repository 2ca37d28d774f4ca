import Foundation
import Keras

/// Writing and reading a weights-sized HDF5 file (`HDF5File`): throughput in MB/s, best of rounds.
///
///   swift run -c release keras-bench hdf5     (compare: Tools/bench/hdf5_reference.py, h5py on the same file)
enum HDF5Benchmark {
    static func run() throws {
        let layers = 32, rows = 1024, columns = 1024
        var root = HDF5Group()
        for layer in 0..<layers {
            let scalars = (0..<rows * columns).map { Float(($0 &* 2_654_435_761 &+ layer) % 1000) / 1000 }
            root.setDataset("layers/dense_\(layer)/vars/0", HDF5Dataset(HDF5Array(Tensor(shape: [rows, columns], scalars: scalars))))
            root.setDataset("layers/dense_\(layer)/vars/1", HDF5Dataset(HDF5Array(Tensor(shape: [columns], scalars: Array(scalars.prefix(columns))))))
        }
        root.setDataset("optimizer/vars/0", HDF5Dataset(.int64(100)))
        let url = URL(fileURLWithPath: environment("HDF5_BENCH_FILE") ?? "/tmp/keras-bench-hdf5-\(getpid()).weights.h5")
        defer { if environment("HDF5_BENCH_FILE") == nil { try? FileManager.default.removeItem(at: url) } }
        let megabytes = Double(layers * (rows * columns + columns) * 4) / 1e6
        var write = Double.infinity, read = Double.infinity, convert = Double.infinity
        for _ in 0..<5 {
            var t0 = nowNS()
            try HDF5File.write(root, to: url)
            write = min(write, (nowNS() - t0) * 1e-9)
            t0 = nowNS()
            let loaded = try HDF5File.read(url)
            read = min(read, (nowNS() - t0) * 1e-9)
            t0 = nowNS()
            var sum: Float = 0
            for layer in 0..<layers {
                sum += try loaded.dataset("layers/dense_\(layer)/vars/0").array.tensor().scalars[1]
            }
            convert = min(convert, (nowNS() - t0) * 1e-9)
            precondition(sum.isFinite)
        }
        print("HDF5 weights file: \(layers) layers of \(rows)x\(columns) float32 (\(format(megabytes)) MB), \(url.path)")
        print("  write (encode + atomic write + fsync): \(format(write * 1000)) ms, \(format(megabytes / write)) MB/s")
        print("  read (file to tree):                   \(format(read * 1000)) ms, \(format(megabytes / read)) MB/s")
        print("  arrays to tensors:                     \(format(convert * 1000)) ms, \(format(megabytes / convert)) MB/s")
    }
}

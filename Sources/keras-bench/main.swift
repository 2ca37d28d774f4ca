// keras-bench: performance benchmarks for swift-keras.
//
//   swift run -c release keras-bench tensor     matmul backends + elementwise/reduction bandwidth
//   swift run -c release keras-bench matmul     matmul part only
//   swift run -c release keras-bench elementwise
//   swift run -c release keras-bench training   the seeds' workloads end to end (compare Tools/bench/keras_training_reference.py)
//   swift run -c release keras-bench tiny [N]   seeds 004 (Pima) and 003 (XOR): the framework's own work per step
//   swift run -c release keras-bench mlp [N]    only the MNIST-MLP epoch, N rounds (default 5)
//   swift run -c release keras-bench mlp serve  one epoch per line of input (Tools/bench/compare_mlp_epoch.py)
//   swift run -c release keras-bench cnn [N]    the Fashion-MNIST convnet epoch (best of N), conv GFLOP/s vs GEMM
//   swift run -c release keras-bench cnn serve  one convnet epoch per line of input (Tools/bench/compare_cnn_epoch.py)
//   swift run -c release keras-bench inference  the MNIST MLP on one sample and on 32: model(x) and predict
//   swift run -c release keras-bench profile [N] where the MNIST-MLP step's time goes (best of N epochs, default 3)
//   swift run -c release keras-bench rnn [lstm|gru] [rounds]   Embedding → LSTM/GRU(128) → Dense, 100 steps, batch 64
//   swift run -c release keras-bench rnn [lstm|gru] serve data.npz  (Tools/bench/compare_rnn_epoch.py)
//   swift run -c release keras-bench hdf5       writing and reading a 134 MB weights file
//   swift run -c release keras-bench datasets   the dataset loaders on the files of the Keras cache
//
// Run on an otherwise idle machine; each number is the best of several rounds (each round the
// median of several calls), with the implementations interleaved so that background load
// affects them alike.

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "tensor"

switch command {
case "tensor":
    printBenchHeader()
    runMatMulBenchmarks()
    print("")
    runElementwiseBenchmarks()
case "matmul":
    printBenchHeader()
    runMatMulBenchmarks()
case "training":
    try TrainingBenchmark.run()
case "tiny":
    let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 5
    try TrainingBenchmark.runTinyModels(rounds: rounds, xorRounds: rounds)
case "mlp" where arguments.dropFirst().first == "serve":
    try TrainingBenchmark.serveMLP()
case "mlp":
    try TrainingBenchmark.runMLP(rounds: arguments.dropFirst().first.flatMap { Int($0) } ?? 5)
case "cnn" where arguments.dropFirst().first == "serve":
    try ConvNetBenchmark.serve()
case "cnn":
    try ConvNetBenchmark.run(rounds: arguments.dropFirst().first.flatMap { Int($0) } ?? 3)
case "inference":
    try InferenceBenchmark.run()
case "profile":
    try ProfileBenchmark.run(epochs: arguments.dropFirst().first.flatMap { Int($0) } ?? 3)
case "elementwise":
    runElementwiseBenchmarks()
case "rnn":
    try RecurrentBenchmark.run(Array(arguments.dropFirst()))
case "hdf5":
    try HDF5Benchmark.run()
case "datasets":
    DatasetBenchmark.run()
case "-h", "--help", "help":
    print("usage: keras-bench [tensor|matmul|elementwise|training|tiny [rounds]|mlp [rounds|serve]|profile [epochs]|inference|cnn [rounds|serve]|rnn [lstm|gru] [rounds|serve data.npz]|datasets|hdf5]")
default:
    print("keras-bench: unknown command '\(command)'. usage: keras-bench [tensor|matmul|elementwise|training|tiny [rounds]|mlp [rounds|serve]|profile [epochs]|inference|cnn [rounds|serve]|rnn [lstm|gru] [rounds|serve data.npz]|datasets|hdf5]")
}

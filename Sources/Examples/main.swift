import Foundation
import Keras

/// `swift run -c release examples [name]`: the Swift twins of the tutorials' programs.
let examples: [(name: String, summary: String, run: () throws -> Void)] = [
    ("neuron", "seed 000: a hand-written neuron on the beans data, by hand and with GradientTape", NeuronExample.run),
    ("beans", "seed 000: the beans models in Keras form (1 and 2 features, with and without a hidden layer)", BeansKerasExample.run),
    ("linear-unit", "seed 001: a linear unit with 3 and 11 inputs and its weights", LinearUnitExample.run),
    ("mnist", "seed 002: the MLP on (Fashion-)MNIST, 2 epochs, batch 128, adam", { try MNISTExample.run() }),
    ("cnn", "Keras' convnet on Fashion-MNIST (Conv2D 32/64, max pooling, dropout), 10 epochs (or `cnn N`), curves + misclassified images in plots/",
     { try ConvNetExample.run(epochs: CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 10) }),
    ("cnn1d", "a 1-D convnet telling noisy sine, square and sawtooth waves apart", SequenceConvNetExample.run),
    ("xor", "seed 003: XOR with Dense + tanh + sigmoid, its summary, SGD(0.1)", XORExample.run),
    ("plots", "every picture the seeds draw, as SVG/PNG files in a folder (default plots/)", PlotsExample.run),
    ("pima", "seed 004: the 5 steps of Keras on the Pima Indians diabetes table", PimaExample.run),
    ("residual", "a residual MLP with the Functional API (Add) on Fashion-MNIST", ResidualMLPExample.run),
    ("two-inputs", "image + tabular features in, class + mean ink out, losses and arrays by name", TwoInputsExample.run),
    ("custom-layer", "a layer of your own (addWeight, Dense sublayers): trained, saved, loaded", CustomLayerExample.run),
    ("autoencoder", "a denoising autoencoder on Fashion-MNIST with its own trainStep", AutoencoderExample.run),
    ("addition-rnn", "Keras' addition RNN: LSTM encoder, RepeatVector, LSTM decoder learn 3-digit sums", { try AdditionRNNExample.run() }),
    ("text-generation", "character-level LSTM text generation on the GPL-3 text of /usr/share/common-licenses", { try TextGenerationExample.run() }),
    ("license-sentences", "text classification from strings: TextVectorization first in the model, GPL-3 vs Apache-2.0 sentences", LicenseSentencesExample.run),
    ("imdb", "IMDB sentiment with Embedding + Bidirectional LSTMs (imdb.npz from the Keras cache)", { try IMDBSentimentExample.run() }),
]

let requested = CommandLine.arguments.dropFirst().first ?? "pima"
if let example = examples.first(where: { $0.name == requested }) {
    do {
        try example.run()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
} else {
    print("Unknown example '\(requested)'. Available:")
    let width = examples.map { $0.name.count }.max() ?? 0
    for example in examples { print("  \(example.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(example.summary)") }
    exit(2)
}

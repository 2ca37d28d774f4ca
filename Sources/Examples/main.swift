import Keras

/// `swift run -c release examples [name]`: the Swift twins of the tutorials' programs.
let examples: [(name: String, summary: String, run: () -> Void)] = [
    ("neuron", "seed 000: a hand-written neuron on the beans data, by hand and with GradientTape", NeuronExample.run),
]

let requested = CommandLine.arguments.dropFirst().first ?? "neuron"
if let example = examples.first(where: { $0.name == requested }) {
    example.run()
} else {
    print("Unknown example '\(requested)'. Available:")
    for example in examples { print("  \(example.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(example.summary)") }
}

import Foundation
import Keras

/// Keras' "sequence to sequence learning for performing number addition": an LSTM reads
/// "535+61 " one character at a time (reversed, as the Keras example), `RepeatVector` hands its
/// summary to a second LSTM that writes the sum "596 " one character per step. No data needed.
enum AdditionRNNExample {
    static let digits = 3
    static let characters = Array("0123456789+ ")
    static let questionLength = digits + 1 + digits

    /// One-hot rows `[count, length, 12]` for strings padded to `length`.
    static func encode(_ strings: [String], length: Int) -> Tensor {
        var scalars = [Float](repeating: 0, count: strings.count * length * characters.count)
        for (row, string) in strings.enumerated() {
            for (position, character) in string.enumerated() {
                scalars[(row * length + position) * characters.count + characters.firstIndex(of: character)!] = 1
            }
        }
        return Tensor(shape: [strings.count, length, characters.count], scalars: scalars)
    }

    static func decode(_ probabilities: Tensor) -> String {
        String(probabilities.argmax(axis: -1).scalars.map { characters[Int($0)] })
    }

    static func run(trainingSize: Int = 50_000, maximumEpochs: Int = 40) throws {
        Keras.setRandomSeed(1)
        var generator = RandomGenerator(seed: 1)
        func number() -> Int {
            let length = Int(generator.next() % UInt64(digits)) + 1
            return (0..<length).reduce(0) { value, _ in value * 10 + Int(generator.next() % 10) }
        }
        var seen = Set<String>(), questions: [String] = [], answers: [String] = []
        while questions.count < trainingSize {
            let (a, b) = (number(), number())
            let key = "\(min(a, b))+\(max(a, b))"
            guard seen.insert(key).inserted else { continue }
            let question = "\(a)+\(b)".padding(toLength: questionLength, withPad: " ", startingAt: 0)
            questions.append(String(question.reversed()))
            answers.append("\(a + b)".padding(toLength: digits + 1, withPad: " ", startingAt: 0))
        }
        print("Generated \(questions.count) questions, e.g. '\(String(questions[0].reversed()))' = '\(answers[0])'")
        let x = encode(questions, length: questionLength), y = encode(answers, length: digits + 1)
        let split = trainingSize * 9 / 10
        let (xTrain, yTrain, xValidation, yValidation) = (x[..<split], y[..<split], x[split...], y[split...])

        let model = Sequential([
            LSTM(128, inputShape: [questionLength, characters.count]),
            RepeatVector(digits + 1),
            LSTM(128, returnSequences: true),
            Dense(units: characters.count, activation: .softmax),
        ])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        model.summary()
        for epoch in 1...maximumEpochs {
            print("Iteration \(epoch)")
            let history = try model.fit(xTrain, yTrain, epochs: 1, batchSize: 32, validationData: (xValidation, yValidation))
            for index in 0..<3 {
                let row = Int(generator.next() % UInt64(trainingSize - split))
                let guess = decode(try model.predict(xValidation[row..<(row + 1)])[0])
                let question = String(decode(xValidation[row]).reversed()), correct = decode(yValidation[row])
                print("Q \(question) T \(correct) \(guess == correct ? "☑" : "☒") \(guess)", index == 2 ? "\n" : "")
            }
            if let accuracy = history.history["val_accuracy"]?.last, accuracy >= 0.99 {
                print(String(format: "Validation accuracy %.4f after %d epochs.", accuracy, epoch))
                return
            }
        }
    }
}

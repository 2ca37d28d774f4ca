import Foundation
import Testing
@testable import Keras

/// `fit` from the same initial weights and data as real Keras 3 must end with the same weights,
/// history and evaluation (fixtures by Tools/fixtures/make_training_fixtures.py).
@Suite("Training parity with Keras") struct TrainingParityTests {
    struct Case: Decodable {
        let name: String
        let loss: String
        let metrics: [String]
        let epochs: Int
        let batch_size: Int
        let validation_split: Float
        let x: [[Float]]
        let y: [[Float]]
        let initial_weights: [Nested]
        let weight_shapes: [[Int]]
        let final_weights: [Nested]
        let history: [String: [Float]]
        let evaluate: [String: Float]
        let predict: [[Float]]
        let optimizer: OptimizerConfig
    }

    struct OptimizerConfig: Decodable {
        let class_name: String
        let learning_rate: Float
        let momentum: Float?
    }

    /// A weight as JSON nests it: a matrix or a vector.
    enum Nested: Decodable {
        case vector([Float]), matrix([[Float]])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let matrix = try? container.decode([[Float]].self) { self = .matrix(matrix) } else {
                self = .vector(try container.decode([Float].self))
            }
        }
        var scalars: [Float] {
            switch self {
            case .vector(let v): return v
            case .matrix(let m): return m.flatMap { $0 }
            }
        }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/training.json")
        struct File: Decodable { let cases: [Case] }
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases) ?? []
    }()

    static func model(for name: String) -> Sequential {
        if name.hasPrefix("classifier") {
            return Sequential([Dense(units: 8, activation: .relu, inputShape: [5]), Dense(units: 3, activation: .softmax)])
        } else if name.hasPrefix("binary") {
            return Sequential([Dense(units: 6, activation: .tanh, inputShape: [4]), Dense(units: 1, activation: .sigmoid)])
        }
        return Sequential([Dense(units: 5, activation: .relu, inputShape: [3]), Dense(units: 1)])
    }

    static func optimizer(_ config: OptimizerConfig) -> Optimizer {
        switch config.class_name {
        case "SGD": return SGD(learningRate: config.learning_rate, momentum: config.momentum ?? 0)
        case "Adam": return Adam(learningRate: config.learning_rate)
        default: return RMSprop(learningRate: config.learning_rate)
        }
    }

    static func close(_ a: Float, _ b: Float, relative: Float) -> Bool {
        Swift.abs(a - b) <= relative * Swift.max(1, Swift.abs(b))
    }

    @Test func fixturesArePresent() { #expect(Self.cases.count == 6) }

    @Test(arguments: cases.map(\.name))
    func fitMatchesKeras(_ name: String) throws {
        let fixture = try #require(Self.cases.first { $0.name == name })
        let model = Self.model(for: name)
        try model.setWeights(zip(fixture.initial_weights, fixture.weight_shapes).map { Tensor(shape: $1, scalars: $0.scalars) })
        try model.compile(optimizer: Self.optimizer(fixture.optimizer), loss: fixture.loss, metrics: fixture.metrics)
        let x = Tensor(fixture.x), y = Tensor(fixture.y)
        let history = try model.fit(x, y, epochs: fixture.epochs, batchSize: fixture.batch_size, verbose: 0,
                                    validationSplit: fixture.validation_split, shuffle: false)

        for (weight, expected) in zip(model.getWeights(), fixture.final_weights) {
            for (a, b) in zip(weight.scalars, expected.scalars) {
                #expect(Self.close(a, b, relative: 1e-4), "\(name): weight \(a) vs Keras \(b)")
            }
        }
        #expect(history.keys == fixture.history.keys.sorted())
        for (key, values) in fixture.history {
            for (a, b) in zip(history[key], values) {
                #expect(Self.close(a, b, relative: 1e-4), "\(name): \(key) \(a) vs Keras \(b)")
            }
        }
        let evaluation = try model.evaluate(x, y, batchSize: fixture.batch_size, verbose: 0)
        for (key, value) in fixture.evaluate {
            #expect(Self.close(evaluation[key], value, relative: 1e-5), "\(name): evaluate \(key) \(evaluation[key]) vs Keras \(value)")
        }
        let predictions = try model.predict(x)
        for (a, b) in zip(predictions.scalars, fixture.predict.flatMap { $0 }) {
            #expect(Self.close(a, b, relative: 1e-5), "\(name): predict \(a) vs Keras \(b)")
        }
    }
}

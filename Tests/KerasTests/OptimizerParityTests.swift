import Foundation
import Testing
@testable import Keras

/// Parity with Keras 3: trajectories written by Tools/fixtures/make_optimizer_fixtures.py.
@Suite("Optimizer parity with Keras")
struct OptimizerParityTests {
    struct TensorData: Decodable {
        let shape: [Int]
        let values: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: values.map(Float.init)) }
    }

    struct OptimizerVariableData: Decodable {
        let shape: [Int]
        let values: [Double]
        let path: String
        let dtype: String
    }

    struct Case: Decodable {
        let name: String
        let class_name: String
        let args: ConfigValue
        let exclude_from_weight_decay: [String]
        let config: ConfigValue
        let learning_rates: [Double]
        let steps: [[TensorData]]
        let final_iterations: Int
        let optimizer_variables: [OptimizerVariableData]
    }

    struct Schedule: Decodable {
        let class_name: String
        let config: ConfigValue
        let full_config: ConfigValue
        let steps: [Int]
        let values: [Double]
    }

    struct Fixture: Decodable {
        let keras_version: String
        let variable_names: [String]
        let initial: [TensorData]
        let gradients: [[TensorData]]
        let cases: [Case]
        let schedules: [Schedule]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/optimizers.json")
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    static let relativeTolerance = 1e-4
    static let absoluteTolerance = 1e-6

    /// Tracks the largest errors of one comparison run.
    struct ErrorStats {
        var maxAbsolute = 0.0
        var maxRelative = 0.0
        var failures: [String] = []

        mutating func compare(_ actual: [Float], _ expected: [Double], _ what: String) {
            guard actual.count == expected.count else {
                failures.append("\(what): \(actual.count) values, expected \(expected.count)")
                return
            }
            for (a, e) in zip(actual, expected) {
                let error = abs(Double(a) - e)
                maxAbsolute = max(maxAbsolute, error)
                if abs(e) > 1e-3 { maxRelative = max(maxRelative, error / abs(e)) }
                if !(error <= OptimizerParityTests.absoluteTolerance + OptimizerParityTests.relativeTolerance * abs(e)) {
                    failures.append("\(what): got \(a), expected \(e)")
                }
            }
        }
    }

    /// The Swift optimizer for a case, built with the Swift-style initialisers from the
    /// arguments the fixture script gave Keras.
    static func makeOptimizer(_ testCase: Case) throws -> Optimizer {
        let args = testCase.args
        func float(_ key: String) -> Float? { args[key]?.doubleValue.map(Float.init) }
        func bool(_ key: String) -> Bool? { args[key]?.boolValue }
        var schedule: (any LearningRateSchedule)?
        if let rate = args["learning_rate"], case .object = rate {
            schedule = try Optimizers.schedule(from: rate)
        }
        let rate = float("learning_rate")
        let optimizer: Optimizer
        switch testCase.class_name {
        case "SGD":
            optimizer = SGD(learningRate: rate ?? 0.01, momentum: float("momentum") ?? 0,
                            nesterov: bool("nesterov") ?? false)
        case "Adam":
            optimizer = Adam(learningRate: rate ?? 0.001, beta1: float("beta_1") ?? 0.9,
                             beta2: float("beta_2") ?? 0.999, epsilon: float("epsilon") ?? 1e-7,
                             amsgrad: bool("amsgrad") ?? false)
        case "AdamW":
            optimizer = AdamW(learningRate: rate ?? 0.001, weightDecay: float("weight_decay") ?? 0.004)
        case "RMSprop":
            optimizer = RMSprop(learningRate: rate ?? 0.001, rho: float("rho") ?? 0.9,
                                momentum: float("momentum") ?? 0, centered: bool("centered") ?? false)
        case "Adagrad":
            optimizer = Adagrad(learningRate: rate ?? 0.001,
                                initialAccumulatorValue: float("initial_accumulator_value") ?? 0.1)
        case "Adadelta":
            optimizer = Adadelta(learningRate: rate ?? 0.001, rho: float("rho") ?? 0.95,
                                 epsilon: float("epsilon") ?? 1e-7)
        case "Adamax":
            optimizer = Adamax(learningRate: rate ?? 0.001, beta1: float("beta_1") ?? 0.9)
        case "Nadam":
            optimizer = Nadam(learningRate: rate ?? 0.001, beta2: float("beta_2") ?? 0.999)
        default:
            throw KerasError.invalidData("unknown class \(testCase.class_name)")
        }
        if testCase.class_name != "AdamW", let decay = float("weight_decay") { optimizer.weightDecay = decay }
        optimizer.clipNorm = float("clipnorm")
        optimizer.clipValue = float("clipvalue")
        optimizer.globalClipNorm = float("global_clipnorm")
        if let schedule { optimizer.learningRateSchedule = schedule }
        return optimizer
    }

    /// Runs a case's five steps; returns the error statistics (weights, learning rates and the
    /// final optimizer variables).
    static func run(_ testCase: Case, optimizer: Optimizer) throws -> ErrorStats {
        let fixture = Self.fixture
        let variables = zip(fixture.variable_names, fixture.initial).map { Variable($1.tensor, name: $0) }
        if !testCase.exclude_from_weight_decay.isEmpty {
            try optimizer.excludeFromWeightDecay(names: testCase.exclude_from_weight_decay)
        }
        var stats = ErrorStats()
        for (step, gradients) in fixture.gradients.enumerated() {
            stats.compare([optimizer.learningRate], [testCase.learning_rates[step]], "learning rate at step \(step)")
            try optimizer.apply(gradients.map(\.tensor), to: variables)
            for (variable, expected) in zip(variables, testCase.steps[step]) {
                #expect(variable.shape == expected.shape)
                stats.compare(variable.value.scalars, expected.values, "\(variable.name) after step \(step + 1)")
            }
        }
        #expect(optimizer.iterations == testCase.final_iterations)
        let state = optimizer.variables
        let paths = state.map { String($0.name.split(separator: "/", maxSplits: 1)[1]) }
        // Keras names Nadam's unnamed variable with a global counter ("variable", "variable_1", …).
        let expectedPaths = testCase.optimizer_variables.map {
            $0.path.hasPrefix("variable") ? "variable" : $0.path
        }
        #expect(paths == expectedPaths, "\(testCase.name): optimizer variables in Keras' order")
        if paths == expectedPaths {
            for (variable, expected) in zip(state, testCase.optimizer_variables) {
                #expect(variable.shape == expected.shape)
                stats.compare(variable.value.scalars, expected.values, "optimizer variable \(expected.path)")
            }
        }
        return stats
    }

    @Test("fixture is from Keras 3")
    func fixtureVersion() {
        #expect(Self.fixture.keras_version.hasPrefix("3."))
        #expect(Self.fixture.cases.count >= 30)
    }

    @Test("trajectories match Keras", arguments: Self.fixture.cases.map(\.name))
    func trajectory(_ name: String) throws {
        let testCase = try #require(Self.fixture.cases.first { $0.name == name })
        let stats = try Self.run(testCase, optimizer: try Self.makeOptimizer(testCase))
        #expect(stats.failures.isEmpty, "\(name): \(stats.failures.prefix(5).joined(separator: "; "))")
        print("parity \(name): max abs error \(stats.maxAbsolute), max rel error \(stats.maxRelative)")
    }

    @Test("optimizers rebuilt from Keras' get_config() match Keras", arguments: Self.fixture.cases.map(\.name))
    func fromKerasConfig(_ name: String) throws {
        let testCase = try #require(Self.fixture.cases.first { $0.name == name })
        var kerasConfig = testCase.config
        if case var .object(fields) = kerasConfig {
            fields = fields.map { $0.key == "name" ? .init("name", .string("opt_\(name)")) : $0 }
            kerasConfig = .object(fields)
        }
        let optimizer = try Optimizers.make(className: testCase.class_name, config: kerasConfig)
        #expect(optimizer.name == "opt_\(name)")
        #expect(optimizer.className == testCase.class_name)
        // get_config() gives back what Keras wrote (numbers compared by value, keys unordered).
        #expect(Self.sameConfig(.object(optimizer.config), kerasConfig),
                "\(name): \(ConfigValue.object(optimizer.config).json) vs \(kerasConfig.json)")
        let stats = try Self.run(testCase, optimizer: optimizer)
        #expect(stats.failures.isEmpty, "\(name): \(stats.failures.prefix(5).joined(separator: "; "))")
    }

    @Test("schedules match Keras", arguments: Array(Self.fixture.schedules.indices))
    func schedule(_ index: Int) throws {
        let expected = Self.fixture.schedules[index]
        let schedule = try Optimizers.schedule(from: .object([.init("class_name", .string(expected.class_name)),
                                                              .init("config", expected.config)]))
        #expect(schedule.className == expected.class_name)
        var stats = ErrorStats()
        for (step, value) in zip(expected.steps, expected.values) {
            stats.compare([schedule(step: step)], [value], "\(expected.class_name) at step \(step)")
        }
        #expect(stats.failures.isEmpty, "\(stats.failures.prefix(5).joined(separator: "; "))")
        #expect(Self.sameConfig(.object(schedule.config), expected.full_config),
                "\(ConfigValue.object(schedule.config).json) vs \(expected.full_config.json)")
    }

    /// Config equality with numbers compared by value and object keys in any order.
    static func sameConfig(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { field in y.first { $0.key == field.key }.map { sameConfig(field.value, $0.value) } ?? false }
        case let (.array(x), .array(y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameConfig($0, $1) }
        default:
            if let x = a.doubleValue, let y = b.doubleValue { return x == y }
            return a == b
        }
    }
}

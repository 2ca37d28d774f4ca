import Foundation
import Testing
@testable import Keras

/// The gradient of `sum(weights * f(x))` with respect to `x`, from the tape.
func tapeGradient(_ f: (Tensor) -> Tensor, at x: Tensor, weights: Tensor) -> Tensor {
    let tape = GradientTape()
    var leaf = x
    let total = tape.record { () -> Tensor in
        leaf = tape.watch(x)
        return (f(leaf) * weights).sum()
    }
    return tape.gradient(of: total, wrt: leaf)
}

/// The same gradient by central finite differences, `(F(x + h) - F(x - h)) / 2h` per scalar,
/// with the weighted sum accumulated in double precision.
func numericGradient(_ f: (Tensor) -> Tensor, at x: Tensor, weights: Tensor, step h: Float = 1e-2) -> [Float] {
    let w = weights.scalars
    func total(_ t: Tensor) -> Double { zip(f(t).scalars, w).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
    return x.scalars.indices.map { i in
        var plus = x.scalars, minus = x.scalars
        plus[i] += h
        minus[i] -= h
        let difference = total(Tensor(shape: x.shape, scalars: plus)) - total(Tensor(shape: x.shape, scalars: minus))
        return Float(difference / Double(plus[i] - minus[i]))
    }
}

@Suite("Activations", .freshLayerNames) struct ActivationTests {
    /// Each fixture case by its id (Tools/fixtures/make_layer_fixtures.py), as the Swift API spells it.
    static let functions: [String: ActivationFunction] = [
        "linear": .linear, "sigmoid": .sigmoid, "tanh": .tanh, "relu": .relu,
        "relu_slope": .relu(alpha: 0.1), "relu_max6": .relu(maxValue: 6), "relu_max": .relu(maxValue: 2.5),
        "relu_threshold": .relu(threshold: 0.5), "relu_negative_threshold": .relu(threshold: -1),
        "relu_negative_threshold_max": .relu(maxValue: 2, threshold: -1),
        "relu_all": .relu(alpha: 0.3, maxValue: 3, threshold: 0.5),
        "relu_slope_threshold": .relu(alpha: 0.2, threshold: -1), "relu_slope_max": .relu(alpha: 0.25, maxValue: 2),
        "leaky_relu": .leakyRelu(), "leaky_relu_0.1": .leakyRelu(alpha: 0.1), "elu": .elu(), "elu_0.5": .elu(alpha: 0.5),
        "selu": .selu, "gelu": .gelu, "gelu_approximate": .gelu(approximate: true), "softplus": .softplus,
        "softsign": .softsign, "silu": .silu, "swish": .swish, "hard_sigmoid": .hardSigmoid,
        "exponential": .exponential, "softmax": .softmax, "softmax_axis0": .softmax(axis: 0),
        "log_softmax": .logSoftmax, "log_softmax_axis0": .logSoftmax(axis: 0),
    ]
    static let ids = functions.keys.sorted()

    @Test func fixtureCoversEveryActivation() throws {
        let fixture = try LayerFixtures.load()
        #expect(fixture.keras_version.hasPrefix("3."))
        #expect(Set(fixture.activations.map(\.id)) == Set(Self.ids))
        let kerasNames = Set(fixture.activations.map(\.name))
        for kind in ActivationFunction.Kind.allCases { #expect(kerasNames.contains(kind.rawValue), "\(kind.rawValue)") }
    }

    @Test(arguments: ids) func matchesKeras(_ id: String) throws {
        let fixture = try LayerFixtures.load()
        let expected = try #require(fixture.activations.first { $0.id == id })
        let function = try #require(Self.functions[id])
        let x = Tensor(doubles: fixture.activation_input)
        let y = function(x)
        #expect(y.shape == x.shape)
        expectClose(y.scalars, expected.output.flatMap { $0 }, tolerance: 2e-6, id)
        // Without options, the Keras name gives the same function.
        if expected.id == expected.name {
            let named = try ActivationFunction(named: expected.name)
            #expect(named == function, "\(id)")
            expectClose(named(x).scalars, expected.output.flatMap { $0 }, tolerance: 2e-6, "\"\(id)\"")
        }
    }

    @Test(arguments: ids) func gradientMatchesFiniteDifferences(_ id: String) throws {
        let fixture = try LayerFixtures.load()
        let function = try #require(Self.functions[id])
        let x = Tensor(doubles: fixture.activation_input)
        let weights = Tensor.randomUniform(x.shape, lower: -1, upper: 1, seed: 11)
        let analytic = tapeGradient({ function($0) }, at: x, weights: weights)
        let numeric = numericGradient({ function($0) }, at: x, weights: weights)
        #expect(analytic.shape == x.shape)
        expectClose(analytic.scalars, numeric.map(Double.init), tolerance: 2e-3, "d\(id)/dx")
    }

    @Test func namesAliasesAndUnknownNames() throws {
        #expect(try ActivationFunction(named: "swish") == .silu)
        #expect(ActivationFunction.swish.name == "silu")
        #expect(try ActivationFunction(named: "leaky_relu").alpha == 0.2)
        #expect(ActivationFunction.leakyRelu().alpha == 0.2)
        #expect(ActivationFunction.gelu.approximate == false)
        #expect(try ActivationFunction(named: "softmax").axis == -1)
        do {
            _ = try ActivationFunction(named: "sigmod")
            Issue.record("an unknown name should throw")
        } catch let KerasError.unknownName(kind, name, valid) {
            #expect(kind == "activation" && name == "sigmod")
            #expect(valid.contains("sigmoid") && valid.contains("swish") && valid.contains("leaky_relu"))
        }
        // A string literal that names nothing is kept, and reported when a layer builds.
        let typo: ActivationFunction = "sigmod"
        #expect(typo.name == "sigmod")
        #expect(throws: KerasError.self) { try typo.validate() }
        #expect(throws: KerasError.self) { try Activation(typo).buildIfNeeded(inputShape: [nil, 2]) }
        let model = Sequential([Dense(units: 1, activation: "sigmod", inputShape: [2])])
        try model.compile(optimizer: SGD(), loss: "mse")
        #expect(throws: KerasError.self) { try model.fit(Tensor.zeros([2, 2]), Tensor.zeros([2, 1]), verbose: 0) }
    }

    @Test func activationLayerAppliesItsFunction() throws {
        let x = Tensor([[-1, 0.5, 2]] as [[Float]])
        #expect(try Activation(.relu)(x) == Tensor([[0, 0.5, 2]] as [[Float]]))
        #expect(try Activation("tanh")(x) == x.tanh())
        #expect(try Activation(.linear)(x) == x)
        let dense = Dense(units: 2, activation: .sigmoid, kernelInitializer: .ones, biasInitializer: .constant(-1))
        #expect(try dense(x) == (x.sum(axis: 1, keepDims: true) - 1).sigmoid().broadcast(to: [1, 2]))
    }

    @Test func softmaxAxesOutsideTheInputThrow() throws {
        #expect(throws: KerasError.self) { try Activation(.softmax(axis: 2))(Tensor.zeros([2, 3])) }
        #expect(throws: KerasError.self) { try Activation(.logSoftmax(axis: -3))(Tensor.zeros([2, 3])) }
        #expect(throws: KerasError.self) { try Dense(units: 2, activation: .softmax(axis: 2))(Tensor.zeros([2, 3])) }
        #expect(try Activation(.softmax(axis: 2))(Tensor.zeros([1, 2, 4])).shape == [1, 2, 4])
        #expect(try Activation(.softmax(axis: -2))(Tensor.zeros([1, 2, 4])).sum(axis: 1).scalars == [1, 1, 1, 1])
    }

    @Test func softmaxAndLogSoftmaxNormalizeAlongTheirAxis() {
        let x = Tensor.randomNormal([3, 4, 5], seed: 4) * 10
        for axis in [0, 1, -1] {
            let sums = ActivationFunction.softmax(axis: axis)(x).sum(axis: axis)
            #expect(sums.scalars.allSatisfy { abs($0 - 1) < 1e-5 }, "softmax axis \(axis)")
            let logSums = ActivationFunction.logSoftmax(axis: axis)(x).exp().sum(axis: axis)
            #expect(logSums.scalars.allSatisfy { abs($0 - 1) < 1e-5 }, "log_softmax axis \(axis)")
        }
        // Large logits neither overflow nor lose the largest entry.
        let softmax: ActivationFunction = .softmax, logSoftmax: ActivationFunction = .logSoftmax
        let big = softmax(Tensor([[1000, 0, -1000]] as [[Float]]))
        #expect(big.scalars == [1, 0, 0])
        let logBig = logSoftmax(Tensor([[1000, 0]] as [[Float]]))
        #expect(logBig.scalars == [0, -1000])
    }

    @Test func reluOptionsAsKeras3() {
        let x = Tensor([-3, -1.5, -0.5, 0.25, 1, 4, 8])
        // The default relu is max(x, 0); `alpha` is Keras 3's negative_slope.
        let relu: ActivationFunction = .relu
        #expect(relu(x).scalars == [0, 0, 0, 0.25, 1, 4, 8])
        #expect(ActivationFunction.relu(alpha: 0.5)(x).scalars == [-1.5, -0.75, -0.25, 0.25, 1, 4, 8])
        #expect(ActivationFunction.relu(maxValue: 6)(x).scalars == [0, 0, 0, 0.25, 1, 4, 6])
        #expect(ActivationFunction.relu(threshold: 1)(x).scalars == [0, 0, 0, 0, 0, 4, 8])
        // Keras clips to [0, maxValue] after thresholding: a negative threshold with a ceiling
        // gives 0 between the threshold and 0, and a negative ceiling gives zeros (no crash).
        #expect(ActivationFunction.relu(maxValue: 2, threshold: -1)(x).scalars == [0, 0, 0, 0.25, 1, 2, 2])
        #expect(ActivationFunction.relu(threshold: -1)(x).scalars == [0, 0, -0.5, 0.25, 1, 4, 8])
        #expect(ActivationFunction.relu(maxValue: -1)(x).scalars == [0, 0, 0, 0, 0, 0, 0])
        #expect(ActivationFunction.relu(alpha: 0.5, maxValue: 5, threshold: 1)(x).scalars == [-2, -1.25, -0.75, -0.375, 0, 4, 5])
    }

    @Test func namedDefaultsMatchKeras3() {
        let x = Tensor([-2, 2])
        // leaky_relu's default slope is 0.2 in Keras 3 (0.3 in Keras 2's LeakyReLU layer).
        #expect(ActivationFunction.leakyRelu()(x).scalars == [-0.4, 2])
        // hard_sigmoid is relu6(x + 3) / 6 in Keras 3 (Keras 2 used 0.2x + 0.5).
        let hardSigmoid: ActivationFunction = .hardSigmoid, gelu: ActivationFunction = .gelu
        #expect(hardSigmoid(Tensor([-4, -1.5, 0, 1.5, 4])).scalars == [0, 0.25, 0.5, 0.75, 1])
        // gelu is exact by default; the tanh approximation differs slightly.
        let exact = gelu(Tensor([1])).scalar, approximate = ActivationFunction.gelu(approximate: true)(Tensor([1])).scalar
        #expect(abs(exact - 0.8413447) < 1e-6)
        #expect(abs(approximate - 0.8411920) < 1e-6)
    }

    @Test func eluAndSeluGradientsStayFiniteForLargeInputs() throws {
        let x = Tensor([100, 95, -100, 0.5])
        for function in [ActivationFunction.elu(), .elu(alpha: 0.5), .selu] {
            let values = function(x).scalars
            #expect(!values.contains { !$0.isFinite }, "\(function): \(values)")
            let gradient = tapeGradient({ function($0) }, at: x, weights: Tensor.ones([4])).scalars
            #expect(!gradient.contains { !$0.isFinite }, "\(function): \(gradient)")
            let scale: Float = function.name == "selu" ? 1.0507009 : 1
            #expect(abs(gradient[0] - scale) < 1e-5 && abs(gradient[3] - scale) < 1e-5)
        }
    }
}

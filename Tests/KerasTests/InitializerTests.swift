import Foundation
import Testing
@testable import Keras

@Suite("Initializers", .freshLayerNames) struct InitializerTests {
    static func initializer(named name: String, seed: UInt64) -> Initializer {
        switch name {
        case "glorot_uniform": return .glorotUniform(seed: seed)
        case "glorot_normal": return .glorotNormal(seed: seed)
        case "he_uniform": return .heUniform(seed: seed)
        case "he_normal": return .heNormal(seed: seed)
        case "lecun_uniform": return .lecunUniform(seed: seed)
        case "lecun_normal": return .lecunNormal(seed: seed)
        case "random_uniform": return .randomUniform(seed: seed)
        case "random_normal": return .randomNormal(seed: seed)
        default: return .truncatedNormal(seed: seed)
        }
    }

    static func statistics(_ t: Tensor) -> (mean: Double, std: Double, maxAbs: Double) {
        let values = t.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot(), values.map(abs).max() ?? 0)
    }

    @Test func fansMatchKerasComputeFans() throws {
        let fixture = try LayerFixtures.load()
        #expect(fixture.fans.count == 6)
        for fans in fixture.fans {
            let (fanIn, fanOut) = Initializer.fans(fans.shape)
            #expect(fanIn == Float(fans.fan_in) && fanOut == Float(fans.fan_out), "\(fans.shape)")
        }
        // A conv kernel (3, 3, in, out): the receptive field multiplies both fans.
        let conv = Initializer.fans([3, 3, 4, 8])
        #expect(conv.fanIn == 36 && conv.fanOut == 72)
    }

    /// Each initializer's sample mean, standard deviation and range against Keras' formula
    /// (`VarianceScaling` with `compute_fans`) and against a Keras sample of the same shape.
    @Test func statisticsMatchKerasFormulas() throws {
        let fixture = try LayerFixtures.load()
        #expect(fixture.initializers.count == 10)
        for (index, expected) in fixture.initializers.enumerated() {
            let tensor = try Self.initializer(named: expected.name, seed: UInt64(100 + index))(expected.shape)
            #expect(tensor.shape == expected.shape)
            let (mean, std, maxAbs) = Self.statistics(tensor)
            let count = Double(tensor.count)
            let context = "\(expected.name) \(expected.shape)"
            #expect(abs(mean) < 4 * expected.std / count.squareRoot(), "\(context): mean \(mean)")
            // The sample deviation is within a few standard errors of Keras' value, and of Keras' sample's.
            #expect(abs(std - expected.std) < 0.03 * expected.std, "\(context): std \(std) vs Keras' formula \(expected.std)")
            #expect(abs(std - expected.sample_std) < 0.04 * expected.std, "\(context): std \(std) vs Keras' sample \(expected.sample_std)")
            if let limit = expected.limit {
                // Uniform draws fill [-limit, limit); truncated normals stop at two deviations.
                #expect(maxAbs <= limit * (1 + 1e-6), "\(context): \(maxAbs) beyond Keras' limit \(limit)")
                #expect(maxAbs > 0.97 * limit, "\(context): \(maxAbs) far inside \(limit)")
            }
        }
    }

    @Test func seedsMakeDrawsRepeat() throws {
        let a = try Initializer.heNormal(seed: 9)([20, 10]), b = try Initializer.heNormal(seed: 9)([20, 10])
        #expect(a == b)
        #expect(try Initializer.heNormal(seed: 10)([20, 10]) != a)
        // A seeded initializer gives the same values on every call, as in Keras.
        let seeded = Initializer.orthogonal(seed: 4)
        #expect(try seeded([5, 5]) == seeded([5, 5]))
        // Unseeded ones draw from the global generator, which a scope reseeds.
        let first = try Keras.withRandomSeed(77) { try Initializer.glorotUniform([6, 3]) }
        let second = try Keras.withRandomSeed(77) { try Initializer.glorotUniform([6, 3]) }
        #expect(first == second)
        let layers = Keras.withRandomSeed(12) { (Sequential([Dense(units: 4, inputShape: [3])]), Sequential([Dense(units: 4, inputShape: [3])])) }
        #expect(layers.0.getWeights() != layers.1.getWeights())
        let again = Keras.withRandomSeed(12) { Sequential([Dense(units: 4, inputShape: [3])]) }
        #expect(again.getWeights() == layers.0.getWeights())
    }

    @Test func orthogonalHasOrthonormalRowsOrColumns() throws {
        func gram(_ q: Tensor, columns: Bool) -> Tensor {
            columns ? q.matmul(q, transposeA: true) : q.matmul(q, transposeB: true)
        }
        func expectIdentity(_ g: Tensor, times scale: Float, _ context: String) {
            let n = g.shape[0]
            let error = (g - scale * Tensor.eye(n)).abs().max().scalar
            #expect(error < 1e-5 * Swift.max(1, scale), "\(context): max error \(error)")
        }
        // Tall: orthonormal columns. Wide: orthonormal rows.
        let tall = try Initializer.orthogonal(seed: 1)([7, 4])
        expectIdentity(gram(tall, columns: true), times: 1, "7×4")
        let wide = try Initializer.orthogonal(seed: 2)([3, 8])
        expectIdentity(gram(wide, columns: false), times: 1, "3×8")
        let square = try Initializer.orthogonal(seed: 3)([6, 6])
        expectIdentity(gram(square, columns: true), times: 1, "6×6 columns")
        expectIdentity(gram(square, columns: false), times: 1, "6×6 rows")
        // Higher ranks flatten to (product of the leading axes, last axis); gain scales.
        let kernel = try Initializer.orthogonal(gain: 2, seed: 4)([2, 3, 4])
        #expect(kernel.shape == [2, 3, 4])
        expectIdentity(gram(kernel.reshaped(to: [6, 4]), columns: true), times: 4, "2×3×4 gain 2")
        // Keras: "The tensor to initialize must be at least two-dimensional".
        #expect(throws: KerasError.self) { try Initializer.orthogonal([5]) }
        #expect(throws: KerasError.self) { try Initializer("orthogonal")([]) }
    }

    @Test func constantsAndIdentity() throws {
        #expect(try Initializer.zeros([2, 3]) == Tensor.zeros([2, 3]))
        #expect(try Initializer.ones([4]) == Tensor.ones([4]))
        #expect(try Initializer.constant(0.25)([2, 2]) == Tensor.full([2, 2], 0.25))
        #expect(try Initializer("identity")([2, 3]) == Tensor([[1, 0, 0], [0, 1, 0]] as [[Float]]))
        #expect(try Initializer.identity(gain: 3)([2, 2]) == Tensor([[3, 0], [0, 3]] as [[Float]]))
        #expect(throws: KerasError.self) { try Initializer.identity([2, 2, 2]) }
        let dense = Dense(units: 3, kernelInitializer: "ones", biasInitializer: .constant(2))
        #expect(try dense(Tensor([[1, 1]] as [[Float]])) == Tensor([[4, 4, 4]] as [[Float]]))
    }

    @Test func namesAliasesAndUnknownNames() throws {
        for (name, canonical) in [("uniform", "random_uniform"), ("normal", "random_normal"), ("one", "ones"),
                                  ("zero", "zeros"), ("GlorotUniform", "glorot_uniform"), ("HeNormal", "he_normal"),
                                  ("he_uniform", "he_uniform"), ("truncated_normal", "truncated_normal")] {
            #expect(try Initializer(named: name).name == canonical, "\(name)")
        }
        do {
            _ = try Initializer(named: "glorot")
            Issue.record("an unknown initializer should throw")
        } catch let KerasError.unknownName(kind, name, valid) {
            #expect(kind == "initializer" && name == "glorot" && valid.contains("glorot_uniform"))
        }
        let unknown: Initializer = "he_normall"
        #expect(throws: KerasError.self) { try unknown([2, 2]) }
        #expect(throws: KerasError.self) { try Dense(units: 2, kernelInitializer: unknown).buildIfNeeded(inputShape: [nil, 2]) }
    }

    @Test func emptyWeightsInitializeWithoutNaN() throws {
        for initializer in [Initializer.glorotUniform, .heNormal, .lecunUniform, .orthogonal] {
            #expect(try initializer([0, 5]).shape == [0, 5])
            #expect(try initializer([5, 0]).shape == [5, 0])
        }
        // A scalar weight has fans of 1.
        let scalar = Initializer.fans([])
        #expect(scalar.fanIn == 1 && scalar.fanOut == 1)
    }
}

import Testing
@testable import Keras

/// The layers that perturb inputs while training: identity at inference, the statistics Keras'
/// formulas give while training, seeds that repeat, configs that round-trip.
@Suite("Noise and spatial dropout layers", .freshLayerNames) struct NoiseLayerTests {
    static let x = Tensor.randomUniform([64, 8, 8, 4], lower: 1, upper: 2, seed: 3)

    @Test func inferencePassesInputsThrough() throws {
        for layer: Layer in [GaussianNoise(0.5), GaussianDropout(0.3), AlphaDropout(0.2), SpatialDropout2D(0.5)] {
            #expect(try layer(Self.x, training: false) == Self.x, "\(layer.name)")
        }
    }

    @Test func gaussianNoiseAndDropoutHaveKerasStatistics() throws {
        let noise = try GaussianNoise(0.5, seed: 1)(Self.x, training: true) - Self.x
        #expect(Swift.abs(noise.mean().scalar) < 0.01)
        #expect(Swift.abs(noise.std().scalar - 0.5) < 0.01)
        let factor = try GaussianDropout(0.2, seed: 2)(Self.x, training: true) / Self.x
        #expect(Swift.abs(factor.mean().scalar - 1) < 0.01)
        #expect(Swift.abs(factor.std().scalar - (0.2 / 0.8).squareRoot()) < 0.01)
    }

    @Test func alphaDropoutKeepsSeluStatistics() throws {
        // On standard-normal inputs, SELU's fixed point: mean 0 and variance 1 survive the dropout.
        let normal = Tensor.randomNormal([200_000], seed: 4)
        let dropped = try AlphaDropout(0.2, seed: 5)(normal, training: true)
        #expect(Swift.abs(dropped.mean().scalar) < 0.02)
        #expect(Swift.abs(dropped.std().scalar - 1) < 0.02)
    }

    @Test func spatialDropoutDropsWholeChannels() throws {
        let y = try SpatialDropout2D(0.5, seed: 6)(Self.x, training: true)
        // Each (sample, channel) map is all zeros or all scaled by 2.
        let maps = (y / Self.x).transposed([0, 3, 1, 2]).reshaped(to: [256, 64])
        let lowest = maps.min(axis: 1), highest = maps.max(axis: 1)
        #expect(lowest == highest)
        let kept = (lowest .> 0).sum().scalar
        #expect(kept > 90 && kept < 166)
        #expect(Set(lowest.scalars) == [0, 2])
        let channelsFirst = try SpatialDropout2D(0.5, dataFormat: .channelsFirst, seed: 7)(Self.x, training: true) / Self.x
        let firstMaps = channelsFirst.reshaped(to: [64 * 8, 32])
        #expect(firstMaps.min(axis: 1) == firstMaps.max(axis: 1))
    }

    @Test func seedsRepeatAndConfigsRoundTrip() throws {
        #expect(try GaussianNoise(0.3, seed: 9)(Self.x, training: true) == GaussianNoise(0.3, seed: 9)(Self.x, training: true))
        for layer: Layer in [GaussianNoise(0.5, seed: 3), GaussianDropout(0.3), AlphaDropout(0.2), SpatialDropout1D(0.4), SpatialDropout3D(0.1)] {
            let restored = try Layers.deserialize(try layer.serialized())
            #expect(type(of: restored) == type(of: layer))
            #expect(ConfigValue.object(try restored.getConfig()).json == ConfigValue.object(try layer.getConfig()).json)
        }
    }

    @Test func badRatesThrow() {
        #expect(throws: KerasError.self) { try GaussianDropout(1.5)(Self.x, training: true) }
        #expect(throws: KerasError.self) { try SpatialDropout1D(0.5)(Self.x, training: true) }
    }
}

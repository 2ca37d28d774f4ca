import Testing
@testable import KerasTensor

/// A direct reference convolution in `Double`: every output scalar summed tap by tap, with the
/// padding before given explicitly (the kernel `[window..., channels / groups, filters]`).
private func naiveConvolution(
    _ x: Tensor, _ kernel: Tensor, strides: [Int], dilations: [Int], padBefore: [Int], grid: [Int], groups: Int
) -> Tensor {
    let spatial = x.rank - 2, channels = x.shape[x.rank - 1], filters = kernel.shape[kernel.rank - 1]
    let groupChannels = channels / groups, groupFilters = filters / groups
    let image = Array(x.shape[1..<(x.rank - 1)]), window = Array(kernel.shape.prefix(spatial))
    let xs = x.scalars, ks = kernel.scalars
    var out: [Float] = []
    for n in 0..<x.shape[0] {
        for position in multiIndices(grid) {
            for f in 0..<filters {
                let g = f / groupFilters
                var total = 0.0
                for tap in multiIndices(window) {
                    let pixel = (0..<spatial).map { position[$0] * strides[$0] + tap[$0] * dilations[$0] - padBefore[$0] }
                    guard zip(pixel, image).allSatisfy({ $0 >= 0 && $0 < $1 }) else { continue }
                    let base = pixel.enumerated().reduce(n) { $0 * image[$1.offset] + $1.element }
                    let tapIndex = tap.enumerated().reduce(0) { $0 * window[$1.offset] + $1.element }
                    for c in 0..<groupChannels {
                        total += Double(xs[base * channels + g * groupChannels + c])
                            * Double(ks[(tapIndex * groupChannels + c) * filters + f])
                    }
                }
                out.append(Float(total))
            }
        }
    }
    return Tensor(shape: [x.shape[0]] + grid + [filters], scalars: out)
}

/// One convolution setting: spatial sizes, window, strides, dilations, padding, groups.
struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    let image: [Int], window: [Int], strides: [Int], dilations: [Int], padding: WindowPadding, groups: Int
    let channels: Int, filters: Int
    var testDescription: String {
        "image \(image) window \(window) strides \(strides) dilations \(dilations) \(padding) groups \(groups)"
    }
}

@Suite("Convolution ops")
struct ConvolutionTests {
    static let cases: [ConvolutionCase] = [
        .init(image: [7], window: [3], strides: [1], dilations: [1], padding: .valid, groups: 1, channels: 2, filters: 3),
        .init(image: [7], window: [3], strides: [2], dilations: [1], padding: .same, groups: 1, channels: 2, filters: 3),
        .init(image: [8], window: [2], strides: [1], dilations: [2], padding: .causal, groups: 1, channels: 2, filters: 2),
        .init(image: [6, 5], window: [3, 2], strides: [1, 1], dilations: [1, 1], padding: .valid, groups: 1, channels: 3, filters: 2),
        .init(image: [6, 5], window: [3, 3], strides: [2, 2], dilations: [1, 1], padding: .same, groups: 1, channels: 2, filters: 4),
        .init(image: [7, 6], window: [2, 3], strides: [1, 2], dilations: [2, 1], padding: .same, groups: 1, channels: 2, filters: 2),
        .init(image: [5, 5], window: [3, 3], strides: [1, 1], dilations: [1, 1], padding: .same, groups: 2, channels: 4, filters: 6),
        .init(image: [4, 4], window: [1, 1], strides: [1, 1], dilations: [1, 1], padding: .valid, groups: 1, channels: 3, filters: 2),
        .init(image: [4, 5, 4], window: [2, 3, 2], strides: [1, 2, 1], dilations: [1, 1, 2], padding: .same, groups: 1, channels: 2, filters: 2),
    ]

    @Test("convolution matches the direct sum", arguments: cases)
    func forward(_ c: ConvolutionCase) {
        let x = sample([2] + c.image + [c.channels], seed: 1)
        let kernel = sample(c.window + [c.channels / c.groups, c.filters], seed: 2)
        let geometry = WindowGeometry(batch: 2, image: c.image, window: c.window, strides: c.strides, dilations: c.dilations, padding: c.padding)
        let lead = 3 - c.image.count
        let expected = naiveConvolution(x, kernel, strides: c.strides, dilations: c.dilations,
                                        padBefore: Array(geometry.padBefore.dropFirst(lead)), grid: geometry.gridShape, groups: c.groups)
        let y = x.convolution(kernel, strides: c.strides, dilations: c.dilations, padding: c.padding, groups: c.groups)
        expectClose(y, expected, tolerance: 1e-5)
    }

    @Test("convolution gradients (input, kernel, bias) match finite differences", arguments: cases)
    func gradients(_ c: ConvolutionCase) {
        let x = sample([2] + c.image + [c.channels], seed: 3)
        let kernel = sample(c.window + [c.channels / c.groups, c.filters], seed: 4)
        let bias = sample([c.filters], seed: 5)
        checkGradients([x, kernel, bias]) {
            $0[0].convolution($0[1], bias: $0[2], strides: c.strides, dilations: c.dilations, padding: c.padding, groups: c.groups)
        }
    }

    @Test("image by image and as one product: the same outputs and gradients",
          arguments: cases.filter { $0.groups == 1 } + [
              .init(image: [12, 12], window: [3, 3], strides: [1, 1], dilations: [1, 1], padding: .valid, groups: 1, channels: 8, filters: 16),
          ])
    func imageByImage(_ c: ConvolutionCase) {
        // Nine images: several runs of images on the threads when the work is large enough.
        let x = sample([9] + c.image + [c.channels], seed: 24), kernel = sample(c.window + [c.channels, c.filters], seed: 25)
        let bias = sample([c.filters], seed: 26)
        let geometry = WindowGeometry(batch: 9, image: c.image, window: c.window, strides: c.strides, dilations: c.dilations, padding: c.padding)
        let weights = sample([9] + geometry.gridShape + [c.filters], seed: 27)
        for (relu, watchInput, withBias) in [(false, true, true), (true, true, true), (true, false, false)] {
            func run(byImage: Bool) -> [Tensor] {
                let tape = GradientTape()
                let input = watchInput ? tape.watch(x) : x, k = tape.watch(kernel), b = withBias ? tape.watch(bias) : nil
                var output = Tensor(0)
                let loss = tape.record {
                    output = byImage ? input.convolutionByImage(k, bias: b, geometry: geometry, relu: relu)
                        : input.convolutionAsOneProduct(k, bias: b, geometry: geometry, relu: relu)
                    return (output * weights).sum()
                }
                return [output] + tape.gradient(of: loss, wrt: (watchInput ? [input] : []) + [k] + (b.map { [$0] } ?? []))
            }
            let (byImage, asOne) = (run(byImage: true), run(byImage: false))
            #expect(byImage.count == asOne.count)
            for (a, b) in zip(byImage, asOne) { expectClose(a, b, tolerance: 1e-4) }
        }
    }

    @Test("patches (the C kernel) hold the pixels under each tap, and their adjoint adds them back", arguments: cases)
    func patchesMatchTaps(_ c: ConvolutionCase) {
        let geometry = WindowGeometry(batch: 2, image: c.image, window: c.window, strides: c.strides, dilations: c.dilations, padding: c.padding)
        let x = sample([2] + c.image + [c.channels], seed: 28), xs = x.scalars
        let patches = x.patches(geometry, groups: c.groups), ps = patches.scalars
        let groupChannels = c.channels / c.groups, width = geometry.taps * groupChannels
        var folded = [Float](repeating: 0, count: x.count)
        for g in 0..<c.groups {
            for p in 0..<geometry.positions {
                geometry.forEachTap(at: p) { tap, pixel in
                    for channel in 0..<groupChannels {
                        let value = ps[(g * geometry.positions + p) * width + tap * groupChannels + channel]
                        let expected = pixel < 0 ? 0 : xs[pixel * c.channels + g * groupChannels + channel]
                        #expect(value == expected, "group \(g) position \(p) tap \(tap) channel \(channel)")
                        if pixel >= 0 { folded[pixel * c.channels + g * groupChannels + channel] += value }
                    }
                }
            }
        }
        expectClose(patches.foldingPatches(geometry, groups: c.groups, channels: c.channels), folded, shape: x.shape, tolerance: 1e-5)
    }

    @Test("output sizes follow Keras")
    func outputSizes() {
        func grid(_ image: Int, _ window: Int, _ stride: Int, _ dilation: Int, _ padding: WindowPadding) -> Int {
            WindowGeometry(batch: 1, image: [image], window: [window], strides: [stride], dilations: [dilation], padding: padding).gridShape[0]
        }
        #expect(grid(28, 3, 1, 1, .valid) == 26)
        #expect(grid(28, 3, 2, 1, .same) == 14)
        #expect(grid(27, 3, 2, 1, .same) == 14)
        #expect(grid(10, 3, 1, 2, .valid) == 6)
        #expect(grid(10, 3, 3, 1, .causal) == 4)
        #expect(grid(2, 3, 1, 1, .valid) == 0)
    }

    @Test("a ReLU fused into the convolution equals relu after it")
    func fusedRelu() {
        let x = sample([2, 5, 5, 3], seed: 6), kernel = sample([3, 3, 3, 4], seed: 7), bias = sample([4], seed: 8)
        expectClose(x.convolution(kernel, bias: bias, padding: .same, relu: true),
                    x.convolution(kernel, bias: bias, padding: .same).relu())
        // Gradients: the same as through the separate ReLU (finite differences would cross its kink).
        func gradients(fused: Bool) -> [Tensor] {
            let tape = GradientTape()
            let sources = [tape.watch(x), tape.watch(kernel), tape.watch(bias)]
            let weights = sample([2, 5, 5, 4], seed: 9)
            let loss = tape.record {
                let y = fused ? sources[0].convolution(sources[1], bias: sources[2], padding: .same, relu: true)
                    : sources[0].convolution(sources[1], bias: sources[2], padding: .same).relu()
                return (y * weights).sum()
            }
            return tape.gradient(of: loss, wrt: sources)
        }
        for (a, b) in zip(gradients(fused: true), gradients(fused: false)) { expectClose(a, b, tolerance: 1e-5) }
    }

    @Test("depthwise convolution is a grouped convolution per channel; gradients")
    func depthwise() {
        let x = sample([2, 5, 6, 3], seed: 11), kernel = sample([3, 2, 3, 2], seed: 12)
        let y = x.depthwiseConvolution(kernel, strides: [2, 1], padding: .same)
        // Channel c, multiplier m is the plain convolution of channel c with kernel[..., c, m].
        for c in 0..<3 {
            for m in 0..<2 {
                let single = x.slice(axis: 3, c..<(c + 1)).convolution(
                    kernel.slice(axis: 2, c..<(c + 1)).slice(axis: 3, m..<(m + 1)), strides: [2, 1], padding: .same)
                expectClose(y.slice(axis: 3, (c * 2 + m)..<(c * 2 + m + 1)), single)
            }
        }
        checkGradients([sample([1, 4, 4, 2], seed: 13), sample([2, 2, 2, 2], seed: 14), sample([4], seed: 15)]) {
            $0[0].depthwiseConvolution($0[1], bias: $0[2], dilations: [1, 2], padding: .same)
        }
    }

    @Test("transposed convolution is the adjoint of convolution; Keras' sizes; gradients",
          arguments: [(WindowPadding.valid, 1, nil as Int?), (.valid, 2, nil), (.same, 2, nil), (.same, 1, nil), (.same, 2, 1), (.valid, 3, 1)])
    func transposed(_ padding: WindowPadding, _ stride: Int, _ outputPadding: Int?) {
        let x = sample([2, 4, 3, 3], seed: 16), kernel = sample([3, 3, 2, 3], seed: 17)
        let y = x.transposedConvolution(kernel, strides: [stride, stride], padding: padding,
                                        outputPadding: outputPadding.map { [$0, $0] })
        let (h, _) = Tensor.transposedExtent(input: 4, window: 3, stride: stride, dilation: 1, padding: padding, outputPadding: outputPadding)
        #expect(y.shape[1] == h)
        // <conv_transpose(x), z> == <x, conv(z)> for the convolution it transposes.
        let z = sample(y.shape, seed: 18)
        let (_, before) = Tensor.transposedExtent(input: 4, window: 3, stride: stride, dilation: 1, padding: padding, outputPadding: outputPadding)
        let geometry = WindowGeometry(batch: 2, image: [y.shape[1], y.shape[2]], window: [3, 3], strides: [stride, stride],
                                      dilations: [1, 1], padBefore: [before, before], grid: [4, 3])
        let forward = z.patches(geometry, groups: 1).reshaped(to: [24, 18]).matmul(kernel.reshaped(to: [18, 3]))
        let lhs = (y * z).sum().scalar, rhs = (forward.reshaped(to: x.shape) * x).sum().scalar
        #expect(isClose(lhs, rhs, tolerance: 1e-4))
        checkGradients([sample([1, 3, 2, 2], seed: 19), sample([2, 3, 2, 2], seed: 20), sample([2], seed: 21)]) {
            $0[0].transposedConvolution($0[1], bias: $0[2], strides: [stride, 1], padding: padding,
                                        outputPadding: outputPadding.map { [$0, 0] })
        }
    }

    @Test("max and average pooling: values and gradients", arguments: [WindowPadding.valid, .same])
    func pooling(_ padding: WindowPadding) {
        // Distinct values: no ties for the maximum.
        let values: [Float] = (0..<150).map { (i: Int) -> Float in Float((i * 37) % 150) * 0.05 - 3 }
        let x = Tensor(shape: [2, 5, 5, 3], scalars: values)
        let maxed = x.maxPool(size: [2, 2], padding: padding), averaged = x.averagePool(size: [2, 2], padding: padding)
        let side = padding == .valid ? 2 : 3
        #expect(maxed.shape == [2, side, side, 3])
        // Output (1, 1, 1, 2) covers rows 2–3, columns 2–3 of image 1, channel 2.
        let window: [Float] = [x[1, 2, 2, 2].scalar, x[1, 2, 3, 2].scalar, x[1, 3, 2, 2].scalar, x[1, 3, 3, 2].scalar]
        #expect(maxed[1, 1, 1, 2].scalar == window.max()!)
        #expect(isClose(averaged[1, 1, 1, 2].scalar, window.reduce(0, +) / 4))
        if padding == .same {
            // The last window holds one pixel: padding is not counted.
            #expect(isClose(averaged[0, 2, 2, 0].scalar, x[0, 4, 4, 0].scalar))
        }
        checkGradient(x) { $0.maxPool(size: [2, 2], padding: padding) }
        checkGradient(x) { $0.averagePool(size: [3, 2], strides: [2, 1], padding: padding) }
        checkGradient(Tensor(shape: [1, 6, 2], scalars: Array(values.prefix(12)))) { $0.maxPool(size: [3], strides: [1], padding: padding) }
        checkGradient(sample([1, 3, 4, 3, 2], seed: 22)) { $0.averagePool(size: [2, 2, 2], strides: [1, 2, 1], padding: padding) }
    }

    @Test("zero padding, cropping and upsampling: values and gradients")
    func resizing() {
        let x = sample([2, 3, 4, 2], seed: 23)
        let padded = x.zeroPadded(spatial: [(1, 2), (0, 1)])
        #expect(padded.shape == [2, 6, 5, 2])
        #expect(padded[1, 1, 0, 1].scalar == x[1, 0, 0, 1].scalar)
        #expect(padded[1, 0, 0, 1].scalar == 0 && padded[0, 5, 4, 0].scalar == 0)
        expectClose(padded.cropped(spatial: [(1, 2), (0, 1)]), x)
        checkGradient(x) { $0.zeroPadded(spatial: [(1, 0), (2, 1)]) }
        checkGradient(x) { $0.cropped(spatial: [(1, 0), (1, 2)]) }
        let nearest = x.upsampledNearest(factors: [2, 3])
        #expect(nearest.shape == [2, 6, 12, 2])
        #expect(nearest[1, 5, 7, 1].scalar == x[1, 2, 2, 1].scalar)
        checkGradient(x) { $0.upsampledNearest(factors: [2, 1]) }
        let linear = Tensor(shape: [1, 2, 1, 1], scalars: [0, 1]).upsampledLinear(factors: [2, 1])
        expectClose(linear, [0, 0.25, 0.75, 1], shape: [1, 4, 1, 1])
        checkGradient(x) { $0.upsampledLinear(factors: [2, 2]) }
    }
}

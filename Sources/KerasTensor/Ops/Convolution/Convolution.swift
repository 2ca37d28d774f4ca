// Convolutions on channels-last batches, as patches (im2col) times the kernel on the packed GEMM.

extension Tensor {
    /// The convolution of a channels-last batch `[batch, spatial..., channels]` (1 to 3 spatial
    /// axes) with `kernel` `[window..., channels / groups, filters]` (Keras' layout), plus
    /// `bias` `[filters]`, then `max(·, 0)` when `relu`: `[batch, grid..., filters]`.
    ///
    /// Strides and dilations default to 1 on every spatial axis. With `groups` > 1 the channels
    /// and the filters are split into that many groups and group `g` of the filters sees only
    /// group `g` of the channels. Differentiable with respect to the input, the kernel and the bias.
    public func convolution(
        _ kernel: Tensor, bias: Tensor? = nil, strides: [Int]? = nil, dilations: [Int]? = nil,
        padding: WindowPadding = .valid, groups: Int = 1, relu: Bool = false
    ) -> Tensor {
        let spatial = rank - 2
        precondition((1...3).contains(spatial) && kernel.rank == rank,
                     "convolution: input \(shape) and kernel \(kernel.shape) need 1 to 3 spatial axes, kernel [window..., channels, filters]")
        let channels = shape[rank - 1], filters = kernel.shape[rank - 1]
        precondition(groups >= 1 && channels % groups == 0 && filters % groups == 0 && kernel.shape[rank - 2] * groups == channels,
                     "convolution: kernel \(kernel.shape) does not fit \(channels) channels in \(groups) groups")
        let geometry = WindowGeometry(
            batch: shape[0], image: Array(shape[1..<(rank - 1)]), window: Array(kernel.shape.prefix(spatial)),
            strides: strides ?? Array(repeating: 1, count: spatial), dilations: dilations ?? Array(repeating: 1, count: spatial),
            padding: padding)
        let width = geometry.taps * channels / groups, positions = geometry.positions
        let outputShape = [geometry.batch] + geometry.gridShape + [filters]
        if groups == 1 {
            return ImageConvolution.suits(geometry, depth: width) ? convolutionByImage(kernel, bias: bias, geometry: geometry, relu: relu)
                : convolutionAsOneProduct(kernel, bias: bias, geometry: geometry, relu: relu)
        }
        // Groups: one product per group, [groups, positions, width] · [groups, width, filters / groups].
        let groupFilters = filters / groups
        let perGroup = kernel.reshaped(to: [width, groups, groupFilters]).transposed([1, 0, 2])
        var output = patches(geometry, groups: groups).matmul(perGroup).transposed([1, 0, 2]).reshaped(to: [positions, filters])
        if let bias { output = output + bias }
        if relu { output = output.relu() }
        return output.reshaped(to: outputShape)
    }

    /// A one-group convolution as one product of the batch's patches with the kernel, split
    /// across the threads by the GEMM (a few large images; see `convolutionByImage` for batches).
    func convolutionAsOneProduct(_ kernel: Tensor, bias: Tensor?, geometry: WindowGeometry, relu: Bool) -> Tensor {
        let channels = shape[rank - 1], filters = kernel.shape[rank - 1], width = geometry.taps * channels
        let rows = geometry.isPointwise ? reshaped(to: [geometry.positions, channels])
            : patches(geometry, groups: 1).reshaped(to: [geometry.positions, width])
        return rows.affine(kernel.reshaped(to: [width, filters]), bias: bias, relu: relu)
            .reshaped(to: [geometry.batch] + geometry.gridShape + [filters])
    }

    /// The depthwise convolution of a channels-last batch with `kernel`
    /// `[window..., channels, multiplier]` (Keras' `DepthwiseConv` layout): each channel is
    /// convolved with its own `multiplier` filters; output channel `c · multiplier + m`.
    public func depthwiseConvolution(
        _ kernel: Tensor, bias: Tensor? = nil, strides: [Int]? = nil, dilations: [Int]? = nil, padding: WindowPadding = .valid
    ) -> Tensor {
        let channels = shape[rank - 1]
        precondition(kernel.rank == rank && kernel.shape[rank - 2] == channels,
                     "depthwiseConvolution: kernel \(kernel.shape) does not fit input \(shape)")
        let grouped = kernel.reshaped(to: Array(kernel.shape.dropLast(2)) + [1, channels * kernel.shape[rank - 1]])
        return convolution(grouped, bias: bias, strides: strides, dilations: dilations, padding: padding, groups: channels)
    }

    /// The transposed convolution (the gradient of a convolution with respect to its input) of a
    /// channels-last batch `[batch, spatial..., channels]` with `kernel`
    /// `[window..., filters, channels]` (Keras' `ConvTranspose` layout), plus `bias`:
    /// `[batch, outputSpatial..., filters]` with Keras' output sizes (`valid`: `input · stride +
    /// max(extent − stride, 0)`, `same`: `input · stride`; with `outputPadding`,
    /// `(input − 1) · stride + extent − 2 · pad + outputPadding`) and Keras' (JAX backend) placement.
    public func transposedConvolution(
        _ kernel: Tensor, bias: Tensor? = nil, strides: [Int]? = nil, dilations: [Int]? = nil,
        padding: WindowPadding = .valid, outputPadding: [Int]? = nil
    ) -> Tensor {
        let spatial = rank - 2
        precondition((1...3).contains(spatial) && kernel.rank == rank && kernel.shape[rank - 1] == shape[rank - 1],
                     "transposedConvolution: kernel \(kernel.shape) [window..., filters, channels] does not fit input \(shape)")
        precondition(padding != .causal, "transposedConvolution: causal padding is not defined")
        let strides = strides ?? Array(repeating: 1, count: spatial), dilations = dilations ?? Array(repeating: 1, count: spatial)
        let window = Array(kernel.shape.prefix(spatial)), inputSize = Array(shape[1..<(rank - 1)])
        var outputSize: [Int] = [], padBefore: [Int] = []
        for axis in 0..<spatial {
            let (size, padding) = Tensor.transposedExtent(
                input: inputSize[axis], window: window[axis], stride: strides[axis], dilation: dilations[axis],
                padding: padding, outputPadding: outputPadding?[axis])
            outputSize.append(size)
            padBefore.append(padding)
        }
        let geometry = WindowGeometry(batch: shape[0], image: outputSize, window: window, strides: strides,
                                      dilations: dilations, padBefore: padBefore, grid: inputSize)
        let channels = shape[rank - 1], filters = kernel.shape[rank - 2]
        let rows = reshaped(to: [geometry.positions, channels])
            .matmul(kernel.reshaped(to: [geometry.taps * filters, channels]), transposeB: true)
        let output = rows.reshaped(to: [1, geometry.positions, geometry.taps * filters])
            .foldingPatches(geometry, groups: 1, channels: filters)
        return bias.map { output + $0 } ?? output
    }

    /// The output size of a transposed convolution along one axis, and the padding before of the
    /// convolution it transposes (Keras' `deconv_output_length` and its JAX padding rule).
    static func transposedExtent(
        input: Int, window: Int, stride: Int, dilation: Int, padding: WindowPadding, outputPadding: Int?
    ) -> (size: Int, padBefore: Int) {
        let extent = (window - 1) * dilation + 1
        let size: Int
        if let outputPadding {
            size = (input - 1) * stride + extent - 2 * (padding == .same ? extent / 2 : 0) + outputPadding
        } else {
            size = padding == .same ? input * stride : input * stride + Swift.max(extent - stride, 0)
        }
        // JAX pads the stride-dilated input by `left` before; the transposed convolution's padding is the rest of the window.
        let left: Int
        if padding == .same {
            let total = outputPadding.map { extent + extent % 2 - 2 + $0 } ?? stride + extent - 2
            left = Swift.min(total / 2 + total % 2, extent - 1)
        } else {
            left = extent - 1
        }
        return (size, extent - 1 - left)
    }
}

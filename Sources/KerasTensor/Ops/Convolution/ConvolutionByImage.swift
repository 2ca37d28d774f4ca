// A one-group convolution computed image by image. Each thread takes runs of whole images; for
// each image it gathers the patches (im2col) into a scratch matrix that stays in its core's
// cache, multiplies it by the kernel on its own thread, and adds the bias and the ReLU while the
// product is still in cache. The backward pass works the same way: the masked gradient, the
// bias and kernel gradients (summed per run, then over the runs) and the input gradient (the
// gradient's product with the kernel, folded back onto the image) per image. The batch's patches
// (17 MB for the Fashion-MNIST convnet's second layer) are never written to memory.

import CKernels

/// What the image-by-image convolution needs to know about its shapes.
struct ImageConvolution {
    let geometry: WindowGeometry
    /// Input channels, filters, window positions per image (the product's rows) and patch width.
    let channels: Int, filters: Int, rows: Int, width: Int
    /// A 1×1 window with unit strides and no padding: the image itself is its patch matrix.
    let pointwise: Bool
    /// Runs of images handed to the threads (more than threads, so that a late thread leaves its share to the others).
    let runs: Int

    init(geometry: WindowGeometry, channels: Int, filters: Int) {
        self.geometry = geometry
        self.channels = channels
        self.filters = filters
        rows = geometry.positionsPerImage
        width = geometry.taps * channels
        pointwise = geometry.isPointwise
        let work = geometry.positions * width * filters
        runs = work < 4 * Parallel.minimumWorkPerThread ? 1 : Swift.min(geometry.batch, 4 * Parallel.threadCount)
    }

    /// Whether image by image is the better plan: enough images to keep every thread busy, and
    /// products deep enough (`depth` = taps × channels) to be bound by arithmetic. A few large
    /// images, or a first layer on one-channel images (depth 9: bound by storing its output), are
    /// better served by one large product split across the threads.
    static func suits(_ geometry: WindowGeometry, depth: Int) -> Bool {
        geometry.batch >= 2 * Parallel.threadCount && depth >= 32
    }

    /// The images of run `run`.
    func images(ofRun run: Int) -> Range<Int> {
        geometry.batch * run / runs..<geometry.batch * (run + 1) / runs
    }

    /// Runs `body(run, images)` for every run, on the threads; the time counts as matrix products.
    func forEachRun(_ body: (Int, Range<Int>) -> Void) {
        StepProfile.measure(.gemm) {
            if runs == 1 { body(0, images(ofRun: 0)) } else { Parallel.perform(runs) { body($0, images(ofRun: $0)) } }
        }
    }

    /// The patch matrix (`rows` × `width`) of image `image` of the batch at `source`: gathered
    /// into `scratch`, or the image itself when pointwise.
    func patches(ofImage image: Int, in source: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if pointwise { return source + image * rows * channels }
        geometry.gatherPatches(image * rows..<(image + 1) * rows, of: source, channels: channels, groups: 1, into: scratch, rowStride: rows)
        return UnsafePointer(scratch)
    }

    /// `c = a · b (+ c when accumulating)` on the calling thread (row-major, `a` transposed when asked).
    static func product(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        keras_sgemm_ex(-1, Int32(KERAS_GEMM_PATH_AUTO), 1, transposeA ? 1 : 0, 0, m, n, k, 1, a, lda, b, n,
                       accumulate ? 1 : 0, c, n)
    }
}

extension Tensor {
    /// `relu?(convolution(self, kernel) + bias)` with one group, image by image (see the file's comment).
    func convolutionByImage(_ kernel: Tensor, bias: Tensor?, geometry: WindowGeometry, relu: Bool) -> Tensor {
        let plan = ImageConvolution(geometry: geometry, channels: shape[rank - 1], filters: kernel.shape[rank - 1])
        let (rows, width, filters) = (plan.rows, plan.width, plan.filters)
        let output = Tensor(uninitializedShape: [geometry.batch] + geometry.gridShape + [filters])
        let source = storage.base, weights = kernel.storage.base, target = output.storage.base, b = bias?.storage.base
        plan.forEachRun { _, images in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: plan.pointwise ? 0 : rows * width)
            defer { scratch.deallocate() }
            for image in images {
                let block = target + image * rows * filters
                ImageConvolution.product(rows, filters, width, plan.patches(ofImage: image, in: source, scratch: scratch), lda: width, weights, block)
                Tensor.addBiasAndRelu(block, rows: rows, units: filters, bias: b, relu: relu)
            }
        }
        let input = self, operands = bias.map { [input, kernel, $0] } ?? [input, kernel]
        guard Tensor.isRecording(operands) else { return output }
        return output.recorded(from: operands) { g, needed in
            if Tensor.isRecording([g] + operands) {
                // Recorded (higher-order gradients): the same gradient from differentiable operations.
                let masked = (relu ? g * (output.detached .> 0) : g).reshaped(to: [geometry.positions, filters])
                let matrix = kernel.reshaped(to: [width, filters])
                return [needed[0] ? masked.matmul(matrix, transposeB: true).reshaped(to: [1, geometry.positions, width])
                            .foldingPatches(geometry, groups: 1, channels: plan.channels) : nil,
                        needed[1] ? input.patches(geometry, groups: 1).reshaped(to: [geometry.positions, width])
                            .matmul(masked, transposeA: true).reshaped(to: kernel.shape) : nil,
                        needed.count > 2 && needed[2] ? masked.sum(toShape: [filters]) : nil]
            }
            return input.detached.convolutionByImageGradients(
                g.detached, output: relu ? output : nil, kernel: kernel.detached, plan: plan,
                needInput: needed[0], needKernel: needed[1], needBias: needed.count > 2 && needed[2])
        }
    }

    /// The input, kernel and bias gradients of `convolutionByImage` for the output gradient `g`
    /// (`output`: the ReLU's output when the convolution had one), image by image.
    private func convolutionByImageGradients(
        _ g: Tensor, output: Tensor?, kernel: Tensor, plan: ImageConvolution, needInput: Bool, needKernel: Bool, needBias: Bool
    ) -> [Tensor?] {
        let (rows, width, filters) = (plan.rows, plan.width, plan.filters)
        let inputGradient = needInput ? Tensor(uninitializedShape: shape) : nil
        // Per run: the kernel gradient (width × filters) and the bias gradient (filters), summed over its images.
        let partialSize = width * filters + filters
        let partials = needKernel || needBias ? Tensor(repeating: 0, shape: [plan.runs, partialSize]) : nil
        // The kernel transposed (filters × width): the input gradient's product reads it row by row.
        let transposedKernel = needInput ? kernel.reshaped(to: [width, filters]).transposed([1, 0]) : nil
        let source = storage.base, incoming = g.storage.base, activated = output?.storage.base
        let pixels = plan.geometry.pixelsPerImage * plan.channels
        plan.forEachRun { run, images in
            let masked = UnsafeMutablePointer<Float>.allocate(capacity: activated == nil ? 0 : rows * filters)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: plan.pointwise ? 0 : rows * width)
            defer { masked.deallocate(); scratch.deallocate() }
            let partial = partials.map { $0.storage.base + run * partialSize }
            for image in images {
                // The gradient through the ReLU, and the bias gradient, in one pass.
                var gradient = UnsafePointer(incoming + image * rows * filters)
                if activated != nil || needBias {
                    Tensor.maskByPositive(gradient, output: activated.map { $0 + image * rows * filters },
                                          into: activated == nil ? nil : masked, rows: rows, units: filters,
                                          addingColumnSumsTo: needBias ? partial! + width * filters : nil)
                    if activated != nil { gradient = UnsafePointer(masked) }
                }
                if needKernel {
                    // kernel gradient += patchesᵀ · gradient
                    let patches = plan.patches(ofImage: image, in: source, scratch: scratch)
                    ImageConvolution.product(width, filters, rows, patches, lda: width, transposeA: true, gradient, partial!, accumulate: true)
                }
                if let inputGradient {
                    // The patches' gradient (gradient · kernelᵀ), folded back onto the image.
                    let target = inputGradient.storage.base + image * pixels
                    if plan.pointwise {
                        ImageConvolution.product(rows, width, filters, gradient, lda: filters, transposedKernel!.storage.base, target)
                    } else {
                        ImageConvolution.product(rows, width, filters, gradient, lda: filters, transposedKernel!.storage.base, scratch)
                        target.update(repeating: 0, count: pixels)
                        plan.geometry.scatterPatches(image * rows..<(image + 1) * rows, from: scratch, channels: plan.channels,
                                                     groups: 1, onto: inputGradient.storage.base, rowStride: rows)
                    }
                }
            }
        }
        // The runs' sums, added in run order.
        var kernelGradient: Tensor?, biasGradient: Tensor?
        if let partials {
            let total = Tensor(uninitializedShape: [partialSize])
            let sum = total.storage.base, base = partials.storage.base
            sum.update(from: base, count: partialSize)
            for run in 1..<plan.runs {
                let values = base + run * partialSize
                for i in 0..<partialSize { sum[i] += values[i] }
            }
            if needKernel { kernelGradient = total[0..<(width * filters)].reshaped(to: kernel.shape) }
            if needBias { biasGradient = total[(width * filters)..<partialSize] }
        }
        return [inputGradient, kernelGradient, biasGradient]
    }
}

import Foundation
import Testing
@testable import Keras

#if DEBUG
private let isOptimizedBuild = false
#else
private let isOptimizedBuild = true
#endif

/// Timing of the fused update kernels on a 784×512 kernel (401,408 floats). Runs only in
/// optimized builds: `swift test -c release --filter OptimizerPerformance`.
@Suite("Optimizer performance", .enabled(if: isOptimizedBuild))
struct OptimizerPerformanceTests {
    static func medianStepTime(_ optimizer: Optimizer, repetitions: Int = 200) throws -> Double {
        let variable = Variable(Tensor.randomNormal([784, 512], seed: 1), name: "dense/kernel")
        let gradient = Tensor.randomNormal([784, 512], seed: 2) * 0.01
        try optimizer.apply([gradient], to: [variable])  // builds the slots
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            try optimizer.apply([gradient], to: [variable])
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    @Test func updateStepsAreFast() throws {
        let cases: [(String, Optimizer)] = [
            ("SGD", SGD()), ("SGD momentum", SGD(momentum: 0.9)), ("Adam", Adam()),
            ("Adam amsgrad", Adam(amsgrad: true)), ("AdamW", AdamW()), ("RMSprop", RMSprop()),
            ("RMSprop centered momentum", RMSprop(momentum: 0.9, centered: true)), ("Adagrad", Adagrad()),
            ("Adadelta", Adadelta()), ("Adamax", Adamax()), ("Nadam", Nadam()),
            ("Adam clipnorm", Adam(clipNorm: 1)),
        ]
        for (name, optimizer) in cases {
            let milliseconds = try Self.medianStepTime(optimizer)
            print(String(format: "%@ step on 784x512: %.3f ms (median)", name, milliseconds))
            // Generous bound so that a loaded CI machine does not fail; typical figures are far lower.
            #expect(milliseconds < 3, "\(name): \(milliseconds) ms")
        }
    }
}

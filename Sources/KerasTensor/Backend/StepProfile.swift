import CKernels

/// Where the calling thread's wall time goes, by kind of work: what `keras-bench profile`
/// prints for a training step.
///
/// The engine marks its work with `measure(_:_:)`; time is charged to the innermost kind
/// entered, so the kinds add up to the time recorded. Off (the default) a mark costs a
/// thread-local load and a branch.
package enum StepProfile {
    /// The kinds of work (see `keras_profile.h`).
    package enum Kind: Int32, CaseIterable, Sendable {
        case other, gemm, optimizer, elementwise, copy, allocation, synchronisation

        package var name: String { String(describing: self) }
    }

    /// Records the calling thread's time from now on, starting from zero.
    package static func start() { keras_profile_start() }

    /// Stops recording; returns the seconds charged to each kind.
    @discardableResult
    package static func stop() -> [Kind: Double] {
        keras_profile_stop()
        return Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, keras_profile_total_ns($0.rawValue) / 1e9) })
    }

    /// Runs `body`, charging its time (less what inner marks take) to `kind`.
    @inline(__always)
    package static func measure<Result>(_ kind: Kind, _ body: () throws -> Result) rethrows -> Result {
        let outer = keras_profile_enter(kind.rawValue)
        defer { keras_profile_leave(outer) }
        return try body()
    }
}

// Checks that keep their message in release builds.

/// Swift's `precondition` prints its message only in debug builds: in a release build a failed
/// check reports "precondition failure" and nothing more, no shapes and no operation. These
/// two shadow the standard ones throughout the package (in `KerasTensor` and in the modules
/// that import it), so that an internal invariant that breaks says what broke in every build.
/// What a user can cause throws a `KerasError` instead.
@inline(__always)
package func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                          file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}

/// `preconditionFailure` whose message survives release builds (see `precondition`).
@inline(__always)
package func preconditionFailure(_ message: @autoclosure () -> String = String(),
                                 file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}

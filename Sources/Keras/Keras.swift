/// Library-wide settings, as Keras' `keras.utils` and `keras.backend` functions.
public enum Keras {
    /// Seeds every source of randomness — weight initialization, shuffling in `fit`, dropout
    /// masks — so that a program repeats exactly (`keras.utils.set_random_seed`).
    public static func setRandomSeed(_ seed: UInt64) {
        RandomGenerator.seedGlobal(seed)
    }

    /// Runs `body` with randomness seeded by `seed` for it alone: repeatable even while other
    /// threads or tasks train (for instance tests running in parallel).
    public static func withRandomSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
        try RandomGenerator.withSeed(seed, body)
    }

    /// Forgets automatic layer names, so the next `Dense` is `dense` again (`keras.backend.clear_session`).
    public static func clearSession() {
        LayerNames.reset()
    }
}

// The reference decoder of the differential check: the system zlib, as a raw DEFLATE inflater.
#ifndef KERAS_FUZZ_ZLIB_ORACLE_H
#define KERAS_FUZZ_ZLIB_ORACLE_H
#include <stddef.h>
#include <stdint.h>

/// Inflates the raw DEFLATE stream at the start of `input` with zlib into `output` (room for
/// `capacity` bytes). Returns 0 on success, with the bytes produced in `*produced` and the input
/// bytes the stream took in `*consumed`; 1 when the data is invalid or truncated; 2 when the
/// output would exceed `capacity` (no verdict).
int keras_fuzz_zlib_inflate_raw(const uint8_t *input, size_t count, uint8_t *output, size_t capacity,
                                size_t *produced, size_t *consumed);

#endif

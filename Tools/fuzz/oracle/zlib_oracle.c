#include "zlib_oracle.h"
#include <string.h>
#include <zlib.h>

int keras_fuzz_zlib_inflate_raw(const uint8_t *input, size_t count, uint8_t *output, size_t capacity,
                                size_t *produced, size_t *consumed) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, -15) != Z_OK) return 2;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)count;
    stream.next_out = output;
    stream.avail_out = (uInt)capacity;
    int status = inflate(&stream, Z_FINISH);
    *produced = stream.total_out;
    *consumed = stream.total_in;
    inflateEnd(&stream);
    if (status == Z_STREAM_END) return 0;
    // Z_BUF_ERROR with no output room left: the output limit, not the data, stopped it.
    if (status == Z_BUF_ERROR && stream.avail_out == 0) return 2;
    return 1;
}

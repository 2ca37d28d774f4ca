#ifndef KERAS_GEMM_H
#define KERAS_GEMM_H
// Single-precision GEMM for the tensor engine: a packed, blocked (BLIS-style) built-in kernel
// with AVX-512 / AVX2+FMA / NEON / portable micro-kernels chosen at run time, a small
// persistent worker pool, and a run-time (dlopen) loader for a system CBLAS.
//
// All matrices are row-major. C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
// `lda`, `ldb`, `ldc` are the row strides (in elements) of A, B, C *as stored*.
// When beta == 0, C is not read (NaN/Inf in C do not propagate).

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------------
// Built-in kernel
// ---------------------------------------------------------------------------------------------

/// Micro-kernel families.
enum {
    KERAS_GEMM_KERNEL_PORTABLE = 0,
    KERAS_GEMM_KERNEL_AVX2 = 1,
    KERAS_GEMM_KERNEL_AVX512 = 2,
    KERAS_GEMM_KERNEL_NEON = 3,
};

/// The micro-kernel family in use (the best one this CPU supports unless forced).
int keras_gemm_kernel(void);
/// Human-readable name of a kernel family, e.g. "AVX-512 12x32". Static storage.
const char *keras_gemm_kernel_name(int kernel);
/// 1 if this CPU (and build) can run the given kernel family.
int keras_gemm_kernel_supported(int kernel);
/// Forces a kernel family (tests/benchmarks). -1 restores auto-detection. Returns 0 if unsupported.
int keras_gemm_set_kernel(int kernel);

/// Number of threads the built-in kernel may use for large problems (caller thread included).
int keras_gemm_threads(void);
/// Sets the number of threads (>= 1; clamped to 64). 0 restores the default (usable CPUs,
/// or the KERAS_NUM_THREADS environment variable).
void keras_gemm_set_threads(int threads);

/// Runs fn(ctx, 0), ..., fn(ctx, chunks - 1) on the calling thread and the GEMM's worker
/// threads (keras_gemm_threads() in all) and returns when all are done; serially on the
/// calling thread when the pool is busy (a nested or concurrent call) or one thread is set.
/// Every loop of the engine shares these threads, so that idle ones spinning after a GEMM
/// pick up the next loop instead of competing with a second pool for the cores.
void keras_parallel_for(int chunks, void (*fn)(void *ctx, int chunk), void *ctx);

/// Built-in GEMM, automatic policy: tiny problems on the direct path (no packing, no threads);
/// medium ones on the direct path split across threads (AVX-512); large ones packed and blocked,
/// split across threads.
void keras_sgemm(int transA, int transB, long m, long n, long k,
                 float alpha, const float *a, long lda,
                 const float *b, long ldb,
                 float beta, float *c, long ldc);

/// Paths of the built-in GEMM.
enum {
    KERAS_GEMM_PATH_AUTO = 0,   // the automatic policy of keras_sgemm
    KERAS_GEMM_PATH_DIRECT = 1, // no packing; operands read in place (small/medium problems)
    KERAS_GEMM_PATH_PACKED = 2, // packed, blocked (BLIS style)
};

/// Built-in GEMM with explicit choices (tests, benchmarks). `kernel` -1 = current kernel
/// (an unsupported one also falls back to it). `threads`: number of threads (caller included);
/// 0 = automatic with KERAS_GEMM_PATH_AUTO (threads only from 2^20 multiply-adds), 1 with the other paths.
void keras_sgemm_ex(int kernel, int path, int threads,
                    int transA, int transB, long m, long n, long k,
                    float alpha, const float *a, long lda,
                    const float *b, long ldb,
                    float beta, float *c, long ldc);

/// 1 if the automatic path would take the tiny direct path for this problem.
int keras_sgemm_is_tiny(int transB, long m, long n, long k);

/// Routing between the built-in kernel and the run-time BLAS.
enum {
    KERAS_MATMUL_UNDECIDED = 0,
    KERAS_MATMUL_BUILTIN = 1,
    KERAS_MATMUL_BLAS = 2,
};
int keras_matmul_route(void);
/// Sets the route (KERAS_MATMUL_BLAS falls back to built-in if no BLAS is loaded).
void keras_matmul_set_route(int route);
/// The engine's GEMM: tiny problems take the direct path; others go to the BLAS or the built-in
/// kernel according to the route (the BLAS only when all sizes fit its 32-bit ints).
/// Returns 0, doing nothing, when the problem is not tiny and the route is still undecided.
int keras_matmul(int transA, int transB, long m, long n, long k,
                 float alpha, const float *a, long lda,
                 const float *b, long ldb,
                 float beta, float *c, long ldc);

/// 1 if the C kernels were compiled with optimisation (release), 0 in debug builds.
int keras_gemm_optimized(void);

/// Monotonic clock in nanoseconds (for calibration and benchmarks).
double keras_now_ns(void);

// ---------------------------------------------------------------------------------------------
// Run-time BLAS (dlopen; no link-time dependency)
// ---------------------------------------------------------------------------------------------

/// Loads the first CBLAS that provides cblas_sgemm. `path` NULL or "" tries the built-in list of
/// candidates (KERAS_BLAS_PATH environment variable first); otherwise only `path`.
/// Returns 1 on success. Idempotent once a library is loaded (returns 1 without reloading).
int keras_blas_load(const char *path);
/// 1 if a BLAS is loaded.
int keras_blas_available(void);
/// Resolved file name of the loaded library (or "" if none). Static storage.
const char *keras_blas_path(void);
/// Family of the loaded library: "OpenBLAS", "MKL", "BLIS", "Accelerate", "BLAS" or "".
const char *keras_blas_vendor(void);
/// Extra description (OpenBLAS config/core name, etc.) or "". Static storage.
const char *keras_blas_info(void);
/// Newline-separated log of what was tried and why it failed. Static storage.
const char *keras_blas_log(void);
/// Calls the loaded cblas_sgemm (row-major). Must only be called if keras_blas_available().
/// Dimensions must fit in 32-bit int (the caller checks).
void keras_blas_sgemm(int transA, int transB, long m, long n, long k,
                      float alpha, const float *a, long lda,
                      const float *b, long ldb,
                      float beta, float *c, long ldc);

#ifdef __cplusplus
}
#endif
#endif

// Built-in single-precision GEMM: kernel dispatch, BLIS-style blocked driver, worker pool.
//
// Three paths, chosen by size (kg_auto):
//  * tiny (m*n*k < 64^3): direct path on the calling thread: no packing, no threads. A register
//    block of C (8x32 with AVX-512) accumulates op(A) broadcasts times rows of B read in place.
//  * medium (op(B) up to 2 MiB, AVX-512 only): the same direct kernel, rows (or columns) of C
//    split across the worker pool. B is re-read from L2/L3 by every block of rows, which costs
//    less than packing it at these sizes (measured).
//  * large: packed and blocked, split across the pool:
//   for jc in N step NC:            B block  KC x NC  packed into NR-wide panels  (L3)
//     for pc in K step KC:
//       pack B
//       for ic in M step MC:        A block  MC x KC  packed into MR-high panels  (L2)
//         pack A
//         for jr in NC step NR:     B micro-panel KC x NR stays in L1
//           for ir in MC step MR:   micro-kernel MR x NR, accumulators in registers
//
// Transposes are handled while packing (or by the direct kernel's addressing); edge tiles are
// zero-padded in the packed panels and the micro-kernel only stores the valid mr x nr part.
// alpha/beta are applied when storing the tile (beta only on the first KC block). A narrow C
// (n much smaller than NR) is computed as C^T = op(B)^T op(A)^T with transposed tile stores.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "include/keras_gemm.h"
#include "include/keras_profile.h"
#include "keras_gemm_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KG_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define KG_PAUSE() __asm__ __volatile__("yield")
#else
#define KG_PAUSE() ((void)0)
#endif

// ---------------------------------------------------------------------------------------------
// Portable kernel (any CPU; the compiler vectorises the inner loops for the baseline ISA).
// ---------------------------------------------------------------------------------------------

enum { KG_PORT_MR = 4, KG_PORT_NR = 16 };

static void kg_ukr_portable(long kc, const float *restrict ap, const float *restrict bp,
                            float *restrict c, long ldc, float alpha, float beta, int mr,
                            int nr) {
    float acc[KG_PORT_MR][KG_PORT_NR];
    for (int r = 0; r < KG_PORT_MR; r++)
        for (int j = 0; j < KG_PORT_NR; j++) acc[r][j] = 0.0f;
    for (long p = 0; p < kc; p++) {
        for (int r = 0; r < KG_PORT_MR; r++) {
            const float av = ap[r];
            for (int j = 0; j < KG_PORT_NR; j++) acc[r][j] += av * bp[j];
        }
        ap += KG_PORT_MR;
        bp += KG_PORT_NR;
    }
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        if (beta == 0.0f) {
            for (int j = 0; j < nr; j++) cr[j] = alpha * acc[r][j];
        } else if (beta == 1.0f) {
            for (int j = 0; j < nr; j++) cr[j] += alpha * acc[r][j];
        } else {
            for (int j = 0; j < nr; j++) cr[j] = alpha * acc[r][j] + beta * cr[j];
        }
    }
}

static void kg_pack_a_portable(int trans, long mc, long kc, const float *a, long lda, float *ap) {
    kg_pack_a_body(trans, mc, kc, a, lda, ap, KG_PORT_MR);
}
static void kg_pack_b_portable(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    kg_pack_b_body(trans, kc, nc, b, ldb, bp, KG_PORT_NR);
}
static void kg_direct_portable(int transA, int transB, long m, long n, long k, float alpha,
                               const float *a, long lda, const float *b, long ldb, float beta,
                               float *c, long ldc) {
    kg_direct_body(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const kg_kernel kg_kernel_portable = {
    .id = KERAS_GEMM_KERNEL_PORTABLE,
    .name = "portable C 4x16",
    .mr = KG_PORT_MR,
    .nr = KG_PORT_NR,
    .kc = 256,
    .mc = 128,
    .nc = 2048,
    .direct_rows = 4,
    .direct_medium = 0,
    .ukr = kg_ukr_portable,
    .pack_a = kg_pack_a_portable,
    .pack_b = kg_pack_b_portable,
    .direct = kg_direct_portable,
};

// ---------------------------------------------------------------------------------------------
// Kernel selection
// ---------------------------------------------------------------------------------------------

static const kg_kernel *kg_kernel_for(int id) {
    switch (id) {
#if defined(__x86_64__)
    case KERAS_GEMM_KERNEL_AVX512: return &kg_kernel_avx512;
    case KERAS_GEMM_KERNEL_AVX2: return &kg_kernel_avx2;
#endif
#if defined(__aarch64__)
    case KERAS_GEMM_KERNEL_NEON: return &kg_kernel_neon;
#endif
    case KERAS_GEMM_KERNEL_PORTABLE: return &kg_kernel_portable;
    default: return NULL;
    }
}

int keras_gemm_kernel_supported(int kernel) {
    switch (kernel) {
    case KERAS_GEMM_KERNEL_PORTABLE: return 1;
#if defined(__x86_64__)
    case KERAS_GEMM_KERNEL_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("avx2");
    case KERAS_GEMM_KERNEL_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__)
    case KERAS_GEMM_KERNEL_NEON: return 1; // Advanced SIMD is mandatory on AArch64.
#endif
    default: return 0;
    }
}

static int kg_detect_kernel(void) {
    static const int order[] = {KERAS_GEMM_KERNEL_AVX512, KERAS_GEMM_KERNEL_NEON,
                                KERAS_GEMM_KERNEL_AVX2, KERAS_GEMM_KERNEL_PORTABLE};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (keras_gemm_kernel_supported(order[i])) return order[i];
    return KERAS_GEMM_KERNEL_PORTABLE;
}

static _Atomic(const kg_kernel *) kg_current = NULL;

static const kg_kernel *kg_kernel_get(void) {
    const kg_kernel *k = atomic_load_explicit(&kg_current, memory_order_acquire);
    if (__builtin_expect(k != NULL, 1)) return k;
    k = kg_kernel_for(kg_detect_kernel());
    atomic_store_explicit(&kg_current, k, memory_order_release);
    return k;
}

int keras_gemm_kernel(void) { return kg_kernel_get()->id; }

const char *keras_gemm_kernel_name(int kernel) {
    const kg_kernel *k = kg_kernel_for(kernel);
    return k ? k->name : "unavailable";
}

int keras_gemm_set_kernel(int kernel) {
    if (kernel < 0) {
        atomic_store(&kg_current, kg_kernel_for(kg_detect_kernel()));
        return 1;
    }
    if (!keras_gemm_kernel_supported(kernel)) return 0;
    const kg_kernel *k = kg_kernel_for(kernel);
    if (!k) return 0;
    atomic_store(&kg_current, k);
    return 1;
}

// ---------------------------------------------------------------------------------------------
// Time, thread count
// ---------------------------------------------------------------------------------------------

int keras_gemm_optimized(void) {
#if defined(__OPTIMIZE__)
    return 1;
#else
    return 0;
#endif
}

double keras_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define KG_MAX_THREADS 64
static atomic_int kg_threads = 0; // 0 = not yet determined

static int kg_default_threads(void) {
    const char *env = getenv("KERAS_NUM_THREADS");
    if (env && *env) {
        long v = strtol(env, NULL, 10);
        if (v >= 1) return v > KG_MAX_THREADS ? KG_MAX_THREADS : (int)v;
    }
    long n = 1;
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    else n = sysconf(_SC_NPROCESSORS_ONLN);
#else
    n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    if (n < 1) n = 1;
    return n > KG_MAX_THREADS ? KG_MAX_THREADS : (int)n;
}

int keras_gemm_threads(void) {
    int t = atomic_load_explicit(&kg_threads, memory_order_relaxed);
    if (t > 0) return t;
    t = kg_default_threads();
    atomic_store(&kg_threads, t);
    return t;
}

void keras_gemm_set_threads(int threads) {
    if (threads <= 0) threads = kg_default_threads();
    if (threads > KG_MAX_THREADS) threads = KG_MAX_THREADS;
    atomic_store(&kg_threads, threads);
}

// ---------------------------------------------------------------------------------------------
// Per-thread packing buffers (grown on demand, freed at thread exit).
// ---------------------------------------------------------------------------------------------

static pthread_key_t kg_buf_key;
static pthread_once_t kg_buf_once = PTHREAD_ONCE_INIT;
static _Thread_local float *kg_tl_buf = NULL;
static _Thread_local size_t kg_tl_cap = 0;

static void kg_buf_free(void *p) { free(p); }
static void kg_buf_key_init(void) { pthread_key_create(&kg_buf_key, kg_buf_free); }

static float *kg_buffer(size_t floats) {
    if (kg_tl_cap >= floats) return kg_tl_buf;
    pthread_once(&kg_buf_once, kg_buf_key_init);
    free(kg_tl_buf);
    if (floats < ((size_t)1 << 18)) floats = (size_t)1 << 18; // 1 MiB: avoid regrowing often
    size_t bytes = (floats * sizeof(float) + 4095) & ~(size_t)4095;
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes) != 0) p = NULL;
    kg_tl_buf = p;
    kg_tl_cap = p ? bytes / sizeof(float) : 0;
    pthread_setspecific(kg_buf_key, p);
    return kg_tl_buf;
}

// ---------------------------------------------------------------------------------------------
// Sequential blocked GEMM on the rectangle [i0, i1) x [j0, j1) of C.
// ---------------------------------------------------------------------------------------------

typedef struct {
    const kg_kernel *K;
    int transA, transB;
    long m, n, k;
    float alpha, beta;
    const float *a, *b;
    float *c;
    long lda, ldb, ldc;
    int split_n; // parallel split along columns (1) or rows (0)
    int parts;
    int swapped; // computing C^T = op(B)^T op(A)^T: a/b, m/n swapped; C tiles stored transposed
} kg_job;

#define KG_MAX_TILE (16 * 64)

/// C[q * ldc + r] = alpha * tile[r * ldt + q] + beta * C[...] for r < mr, q < nr.
static void kg_store_transposed(const float *tile, long ldt, int mr, int nr, float alpha,
                                float beta, float *c, long ldc) {
    for (int q = 0; q < nr; q++) {
        float *cr = c + q * ldc;
        if (beta == 0.0f)
            for (int r = 0; r < mr; r++) cr[r] = alpha * tile[r * ldt + q];
        else if (beta == 1.0f)
            for (int r = 0; r < mr; r++) cr[r] += alpha * tile[r * ldt + q];
        else
            for (int r = 0; r < mr; r++) cr[r] = alpha * tile[r * ldt + q] + beta * cr[r];
    }
}

/// Splits `extent` into the fewest blocks of at most `block`, of equal size rounded up to `unit`.
static long kg_balance(long extent, long block, long unit) {
    if (extent <= block) return extent;
    const long blocks = (extent + block - 1) / block;
    long b = (extent + blocks - 1) / blocks;
    b = (b + unit - 1) / unit * unit;
    return b > block ? block : b;
}

static void kg_gemm_rect(const kg_job *J, long i0, long i1, long j0, long j1) {
    const kg_kernel *K = J->K;
    const int MR = K->mr, NR = K->nr;
    const long m = i1 - i0, n = j1 - j0, k = J->k;
    if (m <= 0 || n <= 0) return;
    // Balanced blocks: k = 784 with KC = 256 becomes 4 x 196, not 3 x 256 + 16.
    const long KC = kg_balance(k, K->kc, 8), MC = kg_balance(m, K->mc, MR),
               NC = kg_balance(n, K->nc, NR);
    const long kcmax = KG_MIN(KC, k);
    const long mcmax = (KG_MIN(MC, m) + MR - 1) / MR * MR;
    const long ncmax = (KG_MIN(NC, n) + NR - 1) / NR * NR;
    // Bp first (its panels are what the micro-kernel streams from L1), then Ap. 64-byte aligned.
    const size_t bsz = ((size_t)kcmax * ncmax + 15) & ~(size_t)15;
    float *buf = kg_buffer(bsz + (size_t)kcmax * mcmax + 16);
    if (!buf) return; // out of memory: nothing sensible to do
    float *bp = buf, *ap = buf + bsz;
    float tile[KG_MAX_TILE] __attribute__((aligned(64)));

    const int tA = J->transA, tB = J->transB;
    for (long jc = 0; jc < n; jc += NC) {
        const long nc = KG_MIN(NC, n - jc);
        for (long pc = 0; pc < k; pc += KC) {
            const long kc = KG_MIN(KC, k - pc);
            const long jj = j0 + jc;
            const float *bsrc = tB ? J->b + jj * J->ldb + pc : J->b + pc * J->ldb + jj;
            K->pack_b(tB, kc, nc, bsrc, J->ldb, bp);
            const float beta = pc == 0 ? J->beta : 1.0f;
            for (long ic = 0; ic < m; ic += MC) {
                const long mc = KG_MIN(MC, m - ic);
                const long ii = i0 + ic;
                const float *asrc = tA ? J->a + pc * J->lda + ii : J->a + ii * J->lda + pc;
                K->pack_a(tA, mc, kc, asrc, J->lda, ap);
                for (long jr = 0; jr < nc; jr += NR) {
                    const int nr = (int)KG_MIN((long)NR, nc - jr);
                    const float *bpanel = bp + jr * kc;
                    if (!J->swapped) {
                        float *cc = J->c + ii * J->ldc + jj + jr;
                        for (long ir = 0; ir < mc; ir += MR) {
                            const int mr = (int)KG_MIN((long)MR, mc - ir);
                            K->ukr(kc, ap + ir * kc, bpanel, cc + ir * J->ldc, J->ldc, J->alpha,
                                   beta, mr, nr);
                        }
                    } else {
                        for (long ir = 0; ir < mc; ir += MR) {
                            const int mr = (int)KG_MIN((long)MR, mc - ir);
                            K->ukr(kc, ap + ir * kc, bpanel, tile, NR, 1.0f, 0.0f, mr, nr);
                            kg_store_transposed(tile, NR, mr, nr, J->alpha, beta,
                                                J->c + (jj + jr) * J->ldc + ii + ir, J->ldc);
                        }
                    }
                }
            }
        }
    }
}

static void kg_run_part(void *ctx, int part) {
    const kg_job *J = ctx;
    const long unit = J->split_n ? J->K->nr : J->K->mr;
    const long extent = J->split_n ? J->n : J->m;
    const long units = (extent + unit - 1) / unit;
    const long lo = units * part / J->parts, hi = units * (part + 1) / J->parts;
    const long s = KG_MIN(lo * unit, extent), e = KG_MIN(hi * unit, extent);
    if (J->split_n) kg_gemm_rect(J, 0, J->m, s, e);
    else kg_gemm_rect(J, s, e, 0, J->n);
}

// ---------------------------------------------------------------------------------------------
// Persistent worker pool with dynamic chunking.
//
// A parallel GEMM is cut into a few chunks (rectangles of C). The caller publishes the job and
// starts taking chunks itself; workers that are awake take chunks too. Nobody waits for work it
// could do: if a worker is slow to wake or has been descheduled (a busy machine), the caller
// simply does more chunks; if waiting for workers that hold chunks costs more than they save,
// the caller works alone for a while (kg_pool_account). One job at a time; a caller that finds the pool busy (another thread
// is inside a parallel GEMM) runs its GEMM on its own thread. Idle workers spin briefly (a
// training loop issues matmuls back to back), then sleep on a condition variable.
// ---------------------------------------------------------------------------------------------

typedef void (*kg_task_fn)(void *ctx, int chunk);

// Claim word: generation (24 bits) | number of chunks (20 bits) | next chunk (20 bits).
#define KG_CLAIM(g, n, i) (((uint64_t)(g) << 40) | ((uint64_t)(n) << 20) | (uint64_t)(i))
#define KG_CLAIM_GEN(v) ((v) >> 40)
#define KG_CLAIM_N(v) (((v) >> 20) & 0xFFFFF)
#define KG_CLAIM_NEXT(v) ((v) & 0xFFFFF)

static pthread_mutex_t kg_pool_busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t kg_pool_sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kg_pool_wake = PTHREAD_COND_INITIALIZER;
static int kg_pool_workers = 0; // guarded by kg_pool_busy
static uint64_t kg_pool_gen = 0; // guarded by kg_pool_busy
static _Atomic uint64_t kg_pool_claim = 0;
static atomic_int kg_pool_sleepers = 0;
static atomic_int kg_pool_done = 0;
static atomic_int kg_pool_helpers = 0; // workers 1..helpers may join the current job
// Valid while the current job has unfinished chunks (published by the claim word).
static kg_task_fn kg_pool_fn;
static void *kg_pool_ctx;

#define KG_SPIN_NS 100000.0 // how long an idle worker spins before sleeping

/// Claims the next chunk of the current job, or returns -1 if there is none.
static long kg_pool_claim_chunk(void) {
    uint64_t v = atomic_load_explicit(&kg_pool_claim, memory_order_acquire);
    for (;;) {
        if (KG_CLAIM_NEXT(v) >= KG_CLAIM_N(v)) return -1;
        if (atomic_compare_exchange_weak_explicit(&kg_pool_claim, &v, v + 1,
                                                  memory_order_acq_rel, memory_order_acquire))
            return (long)KG_CLAIM_NEXT(v);
    }
}

/// Runs chunks of the current job until none is left; returns how many it ran.
static int kg_pool_work(void) {
    long i;
    int ran = 0;
    while ((i = kg_pool_claim_chunk()) >= 0) {
        kg_pool_fn(kg_pool_ctx, (int)i);
        atomic_fetch_add_explicit(&kg_pool_done, 1, memory_order_release);
        ran++;
    }
    return ran;
}

// Whether sharing work has paid lately. A worker that the system deschedules while it holds a
// chunk (a busy machine) makes the caller wait for that chunk until it runs again, often far
// longer than the work the worker saved. Each job adds the time the workers saved the caller
// (their chunks, at the caller's pace) less the time the caller waited for them, the older
// jobs' balance fading; when the balance turns negative, the caller runs jobs alone for a
// while, then tries the workers again. Guarded by kg_pool_busy.
static double kg_pool_balance = 0;
static double kg_pool_alone_until = 0;
#define KG_ALONE_NS 20e6 // 20 ms alone before trying the workers again

static void kg_pool_account(int chunks, int own, double work_ns, double wait_ns, double now) {
    if (own <= 0) return; // the workers did everything: sharing clearly paid
    const double saved = (double)(chunks - own) * work_ns / own;
    kg_pool_balance = 0.75 * kg_pool_balance + (saved - wait_ns);
    if (kg_pool_balance < 0) {
        kg_pool_balance = 0;
        kg_pool_alone_until = now + KG_ALONE_NS;
    }
}

static int kg_pool_has_work(uint64_t seen_gen) {
    uint64_t v = atomic_load_explicit(&kg_pool_claim, memory_order_acquire);
    return KG_CLAIM_GEN(v) != seen_gen && KG_CLAIM_NEXT(v) < KG_CLAIM_N(v);
}

static void *kg_worker_main(void *arg) {
    const int id = (int)(intptr_t)arg; // 1...
    uint64_t seen = 0;
    for (;;) {
        if (!kg_pool_has_work(seen)) {
            const double start = keras_now_ns();
            int found = 0;
            while (!found) {
                for (int i = 0; i < 64 && !found; i++) {
                    KG_PAUSE();
                    found = kg_pool_has_work(seen);
                }
                if (!found && keras_now_ns() - start > KG_SPIN_NS) break;
            }
            if (!found) {
                pthread_mutex_lock(&kg_pool_sleep_lock);
                atomic_fetch_add(&kg_pool_sleepers, 1);
                while (!kg_pool_has_work(seen))
                    pthread_cond_wait(&kg_pool_wake, &kg_pool_sleep_lock);
                atomic_fetch_sub(&kg_pool_sleepers, 1);
                pthread_mutex_unlock(&kg_pool_sleep_lock);
            }
        }
        seen = KG_CLAIM_GEN(atomic_load_explicit(&kg_pool_claim, memory_order_acquire));
        if (id <= atomic_load_explicit(&kg_pool_helpers, memory_order_acquire)) kg_pool_work();
    }
    return NULL;
}

/// Runs fn(ctx, 0..chunks-1) on the caller plus up to threads-1 pool workers. Returns 0
/// (nothing run) if the pool is busy or no worker can be started.
static int kg_pool_run(kg_task_fn fn, void *ctx, int chunks, int threads) {
    if (chunks < 2 || threads < 2 || chunks > 0xFFFFF) return 0;
    if (pthread_mutex_trylock(&kg_pool_busy) != 0) return 0;
    const double start = keras_now_ns();
    if (start < kg_pool_alone_until) {
        pthread_mutex_unlock(&kg_pool_busy);
        return 0;
    }
    while (kg_pool_workers < threads - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 1 << 20);
        int rc = pthread_create(&t, &attr, kg_worker_main, (void *)(intptr_t)(kg_pool_workers + 1));
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        kg_pool_workers++;
    }
    const int helpers = KG_MIN(kg_pool_workers, threads - 1);
    if (helpers < 1) {
        pthread_mutex_unlock(&kg_pool_busy);
        return 0;
    }
    kg_pool_fn = fn;
    kg_pool_ctx = ctx;
    atomic_store_explicit(&kg_pool_done, 0, memory_order_relaxed);
    atomic_store_explicit(&kg_pool_helpers, helpers, memory_order_relaxed);
    kg_pool_gen = (kg_pool_gen + 1) & 0xFFFFFF;
    if (kg_pool_gen == 0) kg_pool_gen = 1; // 0 is what a fresh worker has "seen"
    // seq_cst: pairs with the sleepers check (a worker going to sleep re-checks under the lock).
    atomic_store(&kg_pool_claim, KG_CLAIM(kg_pool_gen, chunks, 0));
    if (atomic_load(&kg_pool_sleepers) > 0) {
        const int outer = keras_profile_enter(KERAS_PROFILE_SYNCHRONISATION);
        pthread_mutex_lock(&kg_pool_sleep_lock);
        pthread_cond_broadcast(&kg_pool_wake);
        pthread_mutex_unlock(&kg_pool_sleep_lock);
        keras_profile_leave(outer);
    }
    const double work_start = keras_now_ns();
    const int own = kg_pool_work();
    const double wait_start = keras_now_ns();
    const int outer = keras_profile_enter(KERAS_PROFILE_SYNCHRONISATION);
    long spins = 0;
    while (atomic_load_explicit(&kg_pool_done, memory_order_acquire) < chunks) {
        KG_PAUSE();
        if (++spins > 2048) sched_yield(); // a worker holding a chunk may need this core
    }
    keras_profile_leave(outer);
    const double end = keras_now_ns();
    kg_pool_account(chunks, own, wait_start - work_start, end - wait_start, end);
    pthread_mutex_unlock(&kg_pool_busy);
    return 1;
}

void keras_parallel_for(int chunks, void (*fn)(void *ctx, int chunk), void *ctx) {
    if (chunks <= 0) return;
    if (kg_pool_run(fn, ctx, chunks, keras_gemm_threads())) return;
    for (int i = 0; i < chunks; i++) fn(ctx, i);
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

// Problems with m*n*k below this take the direct path (no packing, no threads). Measured on
// AVX-512 (Zen 4): the direct path matches OpenBLAS up to about 64^3 and beats the packed
// single-threaded path well beyond; from about 64^3 two threads win.
#define KG_TINY_MNK (64L * 64 * 64)
// Problems with m*n*k below this run on the calling thread only: at 2^20 multiply-adds, each
// of two threads gets about 5 us of work (AVX-512), a few times what handing it over costs; the
// dense layers' small products (one sample through 784x512, a batch through 512x10) stay on
// the caller.
#define KG_PARALLEL_MNK (1L << 20)
// Products of at most this many rows of op(A) take the direct path: packing op(B) would cost
// more than the product, which uses each scalar of op(B) only m times.
#define KG_DIRECT_FEW_ROWS 8
// Problems whose op(B) has at most this many elements (2 MiB) take the direct path (on several
// threads if large enough) rather than the packed path: every block of 8 rows of C re-reads
// op(B) unpacked, which is cheap while it stays in L2/L3. Measured on Zen 4: the direct path
// reaches ~93% of FMA peak up to 640^3 and (128x784).(784x512), +10-20% over the packed path;
// even at 768^3 (B = 2.4 MB) and beyond the packed path is as fast or faster.
#ifndef KG_DIRECT_MAX_B
#define KG_DIRECT_MAX_B (512L * 1024)
#endif

int keras_sgemm_is_tiny(int transB, long m, long n, long k) {
    // A transposed B is transposed into a small stack buffer on the direct path; beyond that
    // size the direct path would fall back to dot products, so take the packed path.
    return (double)m * (double)n * (double)k < (double)KG_TINY_MNK &&
           (!transB || k * n <= KG_DIRECT_BT);
}

static void kg_scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f) memset(cr, 0, (size_t)n * sizeof(float));
        else if (beta != 1.0f)
            for (long j = 0; j < n; j++) cr[j] *= beta;
    }
}

static void kg_direct(const kg_kernel *K, int transA, int transB, long m, long n, long k,
                      float alpha, const float *a, long lda, const float *b, long ldb, float beta,
                      float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) {
        kg_scale_c(m, n, beta, c, ldc);
        return;
    }
    K->direct(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#ifndef KG_DIRECT_CHUNKS_PER_THREAD
#define KG_DIRECT_CHUNKS_PER_THREAD 8
#endif
#ifndef KG_PACKED_CHUNKS_PER_THREAD
#define KG_PACKED_CHUNKS_PER_THREAD 2
#endif

static double kg_tile_fill(long extent, long unit) {
    return (double)extent / (double)((extent + unit - 1) / unit * unit);
}

static void kg_packed(const kg_kernel *K, int transA, int transB, long m, long n, long k,
                      float alpha, const float *a, long lda, const float *b, long ldb, float beta,
                      float *c, long ldc, int threads) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) {
        kg_scale_c(m, n, beta, c, ldc);
        return;
    }
    kg_job J = {
        .K = K, .transA = transA != 0, .transB = transB != 0,
        .m = m, .n = n, .k = k, .alpha = alpha, .beta = beta,
        .a = a, .b = b, .c = c, .lda = lda, .ldb = ldb, .ldc = ldc,
        .split_n = 0, .parts = 1, .swapped = 0,
    };
    // Narrow C (e.g. n = 10 with NR = 32) wastes most of each micro-tile: compute C^T instead
    // when that fills the tiles much better.
    if (kg_tile_fill(n, K->nr) * kg_tile_fill(m, K->mr) * 1.25 <
        kg_tile_fill(m, K->nr) * kg_tile_fill(n, K->mr)) {
        J.swapped = 1;
        J.m = n; J.n = m;
        J.a = b; J.lda = ldb;
        J.b = a; J.ldb = lda;
        J.transA = transB ? 0 : 1;
        J.transB = transA ? 0 : 1;
        m = J.m; n = J.n;
    }
    if (threads > 1) {
        // Each chunk packs the whole of the operand along the unsplit dimension; split the
        // dimension that makes that redundant packing cheaper, as long as it has enough units.
        // Two chunks per thread: a thread that is late (waking up, or descheduled on a busy
        // machine) leaves its chunks to the others.
        const long mu = (m + K->mr - 1) / K->mr, nu = (n + K->nr - 1) / K->nr;
        const long want = (long)KG_PACKED_CHUNKS_PER_THREAD * threads;
        J.split_n = (m < n) ? (nu >= want) : !(mu >= want);
        const long units = J.split_n ? nu : mu;
        long chunks = KG_MIN(units, want);
        if (chunks >= 2) {
            J.parts = (int)chunks;
            if (kg_pool_run(kg_run_part, &J, (int)chunks, threads)) return;
            J.parts = 1;
        }
    }
    kg_run_part(&J, 0);
}

typedef struct {
    const kg_kernel *K;
    int transA, transB;
    long m, n, k, lda, ldb, ldc, unit;
    float alpha, beta;
    const float *a, *b;
    float *c;
    int parts;
    int split_n; // chunks are column ranges (units of NR) instead of row ranges
} kg_direct_job;

static void kg_run_direct_part(void *ctx, int part) {
    const kg_direct_job *J = ctx;
    const long extent = J->split_n ? J->n : J->m;
    const long units = (extent + J->unit - 1) / J->unit;
    const long lo = KG_MIN(units * part / J->parts * J->unit, extent);
    const long hi = KG_MIN(units * (part + 1) / J->parts * J->unit, extent);
    if (hi <= lo) return;
    if (J->split_n) {
        const float *b = J->transB ? J->b + lo * J->ldb : J->b + lo;
        J->K->direct(J->transA, J->transB, J->m, hi - lo, J->k, J->alpha, J->a, J->lda, b, J->ldb,
                     J->beta, J->c + lo, J->ldc);
    } else {
        const float *a = J->transA ? J->a + lo : J->a + lo * J->lda;
        J->K->direct(J->transA, J->transB, hi - lo, J->n, J->k, J->alpha, a, J->lda, J->b,
                     J->ldb, J->beta, J->c + lo * J->ldc, J->ldc);
    }
}

/// The direct path on several threads: C split into row (or column) chunks. For small and
/// medium problems, where packing costs more than it saves.
static void kg_direct_threads(const kg_kernel *K, int transA, int transB, long m, long n, long k,
                              float alpha, const float *a, long lda, const float *b, long ldb,
                              float beta, float *c, long ldc, int threads) {
    if (threads > 1 && m > 0 && n > 0 && k > 0 && alpha != 0.0f) {
        kg_direct_job J = {
            .K = K, .transA = transA, .transB = transB, .m = m, .n = n, .k = k,
            .lda = lda, .ldb = ldb, .ldc = ldc, .unit = K->direct_rows,
            .alpha = alpha, .beta = beta, .a = a, .b = b, .c = c,
        };
        const long mu = (m + K->direct_rows - 1) / K->direct_rows;
        long nu = (n + K->nr - 1) / K->nr;
        if (mu < 2L * threads && nu > mu) {
            // Column chunks; for a few rows, as wide as the direct path's widest block.
            J.split_n = 1;
            J.unit = m < K->direct_rows ? 4 * K->nr : K->nr;
            nu = (n + J.unit - 1) / J.unit;
        }
        // Small chunks: every block of rows reads all of op(B) anyway, so splitting finer costs
        // only the claims, and a thread descheduled on a busy machine holds up little work.
        const long chunks = KG_MIN(J.split_n ? nu : mu, (long)KG_DIRECT_CHUNKS_PER_THREAD * threads);
        if (chunks >= 2) {
            J.parts = (int)chunks;
            if (kg_pool_run(kg_run_direct_part, &J, (int)chunks, threads)) return;
        }
    }
    kg_direct(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/// Whether the automatic policy takes the direct path (possibly threaded) for this problem:
/// for a few rows, or while op(B) is small enough to be re-read from cache by every block of rows.
static int kg_prefers_direct(const kg_kernel *K, long m, long n, long k) {
    return m <= KG_DIRECT_FEW_ROWS ||
           (K->direct_medium && (double)k * (double)n <= (double)KG_DIRECT_MAX_B);
}

/// The built-in kernel's automatic policy. threads 0: default (threads only for large problems).
static void kg_auto(const kg_kernel *K, int transA, int transB, long m, long n, long k,
                    float alpha, const float *a, long lda, const float *b, long ldb, float beta,
                    float *c, long ldc, int threads) {
    if (keras_sgemm_is_tiny(transB, m, n, k)) {
        kg_direct(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    const double mnk = (double)m * (double)n * (double)k;
    if (threads <= 0) threads = mnk >= (double)KG_PARALLEL_MNK ? keras_gemm_threads() : 1;
    // A large transposed B would first have to be transposed (serially): packed path instead.
    if (kg_prefers_direct(K, m, n, k) && (!transB || k * n <= KG_DIRECT_BT)) {
        kg_direct_threads(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                          threads);
        return;
    }
    kg_packed(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
}

void keras_sgemm_ex(int kernel, int path, int threads, int transA, int transB, long m, long n,
                    long k, float alpha, const float *a, long lda, const float *b, long ldb,
                    float beta, float *c, long ldc) {
    const kg_kernel *K = kernel < 0 ? kg_kernel_get() : kg_kernel_for(kernel);
    if (!K || !keras_gemm_kernel_supported(K->id)) K = kg_kernel_get();
    if (path == KERAS_GEMM_PATH_AUTO) {
        kg_auto(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
        return;
    }
    if (threads <= 0) threads = 1;
    if (path == KERAS_GEMM_PATH_DIRECT)
        kg_direct_threads(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                          threads);
    else
        kg_packed(K, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
}

void keras_sgemm(int transA, int transB, long m, long n, long k, float alpha, const float *a,
                 long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    keras_sgemm_ex(-1, KERAS_GEMM_PATH_AUTO, 0, transA, transB, m, n, k, alpha, a, lda, b, ldb,
                   beta, c, ldc);
}

// ---------------------------------------------------------------------------------------------
// Routing between the built-in kernel and the loaded BLAS.
// ---------------------------------------------------------------------------------------------

static atomic_int kg_route = KERAS_MATMUL_UNDECIDED;

int keras_matmul_route(void) { return atomic_load_explicit(&kg_route, memory_order_acquire); }
void keras_matmul_set_route(int route) {
    if (route == KERAS_MATMUL_BLAS && !keras_blas_available()) route = KERAS_MATMUL_BUILTIN;
    atomic_store_explicit(&kg_route, route, memory_order_release);
}

static int kg_fits_int(long x) { return x >= 0 && x <= 0x7fffffffL; }

static int kg_matmul(int transA, int transB, long m, long n, long k, float alpha, const float *a,
                     long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return 1;
    if (keras_sgemm_is_tiny(transB, m, n, k)) {
        kg_direct(kg_kernel_get(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return 1;
    }
    const int route = atomic_load_explicit(&kg_route, memory_order_acquire);
    if (route == KERAS_MATMUL_UNDECIDED) return 0;
    if (route == KERAS_MATMUL_BLAS && kg_fits_int(m) && kg_fits_int(n) && kg_fits_int(k) &&
        kg_fits_int(lda) && kg_fits_int(ldb) && kg_fits_int(ldc) &&
        lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n) {
        keras_blas_sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return 1;
    }
    kg_auto(kg_kernel_get(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0);
    return 1;
}

int keras_matmul(int transA, int transB, long m, long n, long k, float alpha, const float *a,
                 long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    const int outer = keras_profile_enter(KERAS_PROFILE_GEMM);
    const int done = kg_matmul(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    keras_profile_leave(outer);
    return done;
}

// Run-time CBLAS loader: dlopen a system BLAS (no link-time dependency, no headers needed).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "include/keras_gemm.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// CBLAS enumerations (values fixed by the CBLAS standard).
enum { KB_ROW_MAJOR = 101, KB_NO_TRANS = 111, KB_TRANS = 112 };

typedef void (*kb_sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta,
                            float *c, int ldc);

static pthread_mutex_t kb_lock = PTHREAD_MUTEX_INITIALIZER;
static kb_sgemm_fn kb_sgemm = NULL;
static char kb_path[PATH_MAX] = "";
static char kb_vendor[32] = "";
static char kb_info[512] = "";
static char kb_log[4096] = "";

static void kb_logf(const char *fmt, const char *a, const char *b) {
    size_t used = strlen(kb_log);
    if (used + 1 >= sizeof kb_log) return;
    snprintf(kb_log + used, sizeof kb_log - used, fmt, a, b ? b : "");
}

static const char *const kb_candidates[] = {
#if defined(__APPLE__)
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.dylib",
    "libopenblas.dylib",
#else
    // OpenBLAS (pthreads builds first; the Debian/Ubuntu alternatives directories too).
    "libopenblas.so.0",
    "libopenblas.so",
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-openmp/libopenblas.so.0",
    "/usr/lib64/libopenblas.so.0",
    "/usr/lib64/libopenblasp.so.0",
    "/opt/OpenBLAS/lib/libopenblas.so",
    // Intel MKL (single dynamic library).
    "libmkl_rt.so",
    "libmkl_rt.so.2",
    "/opt/intel/oneapi/mkl/latest/lib/intel64/libmkl_rt.so",
    "/opt/intel/oneapi/mkl/latest/lib/libmkl_rt.so",
    // BLIS.
    "libblis.so.4",
    "libblis.so",
    "/usr/lib/x86_64-linux-gnu/blis-pthread/libblas.so.3",
    // Generic CBLAS / BLAS (may be the slow reference implementation: calibration decides).
    "libcblas.so.3",
    "libblas.so.3",
    "libcblas.so",
    "libblas.so",
#endif
};

static const char *kb_guess_vendor(const char *path, void *h) {
    if (dlsym(h, "openblas_get_config")) return "OpenBLAS";
    if (dlsym(h, "mkl_get_version") || dlsym(h, "MKL_Get_Version")) return "MKL";
    if (dlsym(h, "bli_info_get_version_str")) return "BLIS";
    if (strstr(path, "Accelerate")) return "Accelerate";
    return "BLAS";
}

static int kb_try(const char *name) {
    dlerror();
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *err = dlerror();
        kb_logf("%s: %s\n", name, err ? err : "not found");
        return 0;
    }
    kb_sgemm_fn f = (kb_sgemm_fn)dlsym(h, "cblas_sgemm");
    if (!f) {
        kb_logf("%s: loaded, but has no cblas_sgemm%s\n", name, NULL);
        dlclose(h);
        return 0;
    }
    Dl_info info;
    const char *resolved = name;
    if (dladdr((void *)f, &info) && info.dli_fname && info.dli_fname[0]) resolved = info.dli_fname;
    char real[PATH_MAX];
    if (realpath(resolved, real)) resolved = real;
    snprintf(kb_path, sizeof kb_path, "%s", resolved);
    snprintf(kb_vendor, sizeof kb_vendor, "%s", kb_guess_vendor(resolved, h));
    kb_info[0] = 0;
    if (strcmp(kb_vendor, "OpenBLAS") == 0) {
        typedef char *(*str_fn)(void);
        str_fn cfg = (str_fn)dlsym(h, "openblas_get_config");
        str_fn core = (str_fn)dlsym(h, "openblas_get_corename");
        snprintf(kb_info, sizeof kb_info, "%s%s%s", cfg ? cfg() : "", core ? ", core " : "",
                 core ? core() : "");
    } else if (strcmp(kb_vendor, "BLIS") == 0) {
        typedef const char *(*cstr_fn)(void);
        cstr_fn ver = (cstr_fn)dlsym(h, "bli_info_get_version_str");
        snprintf(kb_info, sizeof kb_info, "BLIS %s", ver ? ver() : "");
    }
    kb_logf("%s: loaded (%s)\n", name, resolved);
    __atomic_store_n(&kb_sgemm, f, __ATOMIC_RELEASE);
    return 1; // the handle stays open for the life of the process
}

int keras_blas_load(const char *path) {
    if (__atomic_load_n(&kb_sgemm, __ATOMIC_ACQUIRE)) return 1;
    pthread_mutex_lock(&kb_lock);
    int ok = kb_sgemm != NULL;
    if (!ok) {
        kb_log[0] = 0;
        if (path && *path) {
            ok = kb_try(path);
        } else {
            const char *env = getenv("KERAS_BLAS_PATH");
            if (env && *env) ok = kb_try(env);
            for (size_t i = 0; !ok && i < sizeof kb_candidates / sizeof kb_candidates[0]; i++)
                ok = kb_try(kb_candidates[i]);
        }
    }
    pthread_mutex_unlock(&kb_lock);
    return ok;
}

int keras_blas_available(void) { return __atomic_load_n(&kb_sgemm, __ATOMIC_ACQUIRE) != NULL; }
const char *keras_blas_path(void) { return keras_blas_available() ? kb_path : ""; }
const char *keras_blas_vendor(void) { return keras_blas_available() ? kb_vendor : ""; }
const char *keras_blas_info(void) { return keras_blas_available() ? kb_info : ""; }
const char *keras_blas_log(void) { return kb_log; }

void keras_blas_sgemm(int transA, int transB, long m, long n, long k, float alpha,
                      const float *a, long lda, const float *b, long ldb, float beta, float *c,
                      long ldc) {
    kb_sgemm_fn f = __atomic_load_n(&kb_sgemm, __ATOMIC_ACQUIRE);
    // CBLAS requires ld >= max(1, columns as stored) even when a dimension is 0.
    f(KB_ROW_MAJOR, transA ? KB_TRANS : KB_NO_TRANS, transB ? KB_TRANS : KB_NO_TRANS, (int)m,
      (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

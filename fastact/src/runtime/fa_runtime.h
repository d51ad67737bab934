/* What the generated loops share with the compiled module: the ufunc table
 * layout, the thread policy and the floating-point flag reset. */
#ifndef FA_RUNTIME_H
#define FA_RUNTIME_H

#include <fenv.h>
#include <stdatomic.h>
#include "fa_common.h"

/* fastact's thread pool (runtime.c) needs POSIX threads; elsewhere every
 * call runs on the calling thread.  No OpenMP runtime is used: `omp simd`
 * needs only -fopenmp-simd. */
#if defined(__unix__) || defined(__APPLE__)
#define FA_HAVE_POOL 1
#else
#define FA_HAVE_POOL 0
#endif

typedef void (*fa_loop)(char **args, fa_intp const *dims, fa_intp const *steps, void *data);

/* One ufunc: `ntypes` loops (float16, float32, float64 or float32, float64)
 * whose operand type characters are in `types` ('e', 'f', 'd'). */
typedef struct {
    const char *name;
    const char *doc;
    int nin, nout;
    const char *signature;   /* NULL, or a gufunc signature "(n)->(n)" */
    int ntypes;
    const char *types;
    fa_loop loops[3];
} fa_ufunc_def;

/* Threads a kernel may use: one process-wide limit, set from Python
 * (fastact.set_num_threads, threadpoolctl) and read at every call. */
extern atomic_int fa_thread_limit;

/* > 0: replaces every kernel's min_parallel, so that
 * tools/measure_thresholds.py can time 2 threads below today's thresholds.
 * Atomic: Python may set it while another thread's kernel reads it. */
extern _Atomic fa_intp fa_min_parallel_override;

/* Threads for n elements: one per `min_parallel` elements, at most the
 * limit, so small arrays never wake a thread. */
static inline int fa_threads_for(fa_intp n, fa_intp min_parallel)
{
#if FA_HAVE_POOL
    /* read once: a second read could see 0 after the test and divide by it */
    fa_intp override = atomic_load_explicit(&fa_min_parallel_override, memory_order_relaxed);
    if (override > 0)
        min_parallel = override;
    fa_intp wanted = n / min_parallel;
    int limit = atomic_load_explicit(&fa_thread_limit, memory_order_relaxed);
    if (wanted <= 1 || limit <= 1)
        return 1;
    return wanted < limit ? (int)wanted : limit;
#else
    (void)n; (void)min_parallel;
    return 1;
#endif
}

/* Runs the ufunc loop `serial` over dims[0] outer iterations (elements, or
 * rows of a gufunc) with up to `nt` threads, the calling one included
 * (runtime.c).  The range is cut into chunks, multiples of `align`, that
 * the threads claim one by one; the caller never waits for a helper that
 * has not started: it claims the chunks itself and returns as soon as
 * every chunk is done.  `serial` sees each chunk as a ufunc loop call of
 * its own (args moved by begin * steps[k], dims[0] = chunk length), so a
 * value gives the same bits whichever thread computes it.
 * nop: operands (<= FA_MAX_OPERANDS); ndims: entries of dims (<= 3). */
#define FA_MAX_OPERANDS 8
void fa_parallel_loop(fa_loop serial, int nop, char **args, int ndims,
                      fa_intp const *dims, fa_intp const *steps, fa_intp align, int nt);

/* NumPy checks the calling thread's flags after a loop; our results are
 * the mathematical limits, so no warning is due.  On x86-64 the kernels
 * only use SSE/AVX, so clearing the MXCSR status bits is enough, and far
 * cheaper than feclearexcept (which also saves and reloads the x87
 * environment). */
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
static inline void fa_clear_fp_flags(void) { _mm_setcsr(_mm_getcsr() & ~0x3fu); }
#else
static inline void fa_clear_fp_flags(void) { feclearexcept(FE_ALL_EXCEPT); }
#endif

/* How many elements from p (aligned to its element size) to the next 64-byte boundary. */
static inline fa_intp fa_align_head(const void *p, fa_intp item)
{
    return (fa_intp)((64 - ((uintptr_t)p & 63)) & 63) / item;
}

/* ---- Non-temporal stores for outputs larger than the caches ----
 * A plain store first reads the line it writes (write-allocate): an output
 * of 10^7 floats costs 40 MB read + 40 MB written on top of the input.
 * Non-temporal stores write whole lines without reading them.  Only for
 * outputs from FA_STREAM_MIN_BYTES on (they would otherwise stay in the
 * caches for whatever reads them next) that share no memory with an input
 * (in place, the line is in the cache already: the input was read there). */
#if defined(__SSE2__) && (defined(__x86_64__) || defined(_M_X64))
#define FA_HAVE_STREAM 1
#define FA_STREAM_MIN_BYTES ((fa_intp)16 << 20)
#define FA_STREAM_BLOCK 1024        /* elements: 4 or 8 kB, in L1 */
#define FA_STREAM_ALIGNED __attribute__((aligned(64)))

static inline int fa_stream_worth(char **args, int narrays, int out, fa_intp n, fa_intp item)
{
    fa_intp bytes = n * item;
    uintptr_t o = (uintptr_t)args[out];
    if (bytes < FA_STREAM_MIN_BYTES || o % (uintptr_t)item)
        return 0;
    for (int k = 0; k < narrays; k++) {
        uintptr_t p = (uintptr_t)args[k];
        if (p < o + (uintptr_t)bytes && o < p + (uintptr_t)bytes)
            return 0;
    }
    return 1;
}

/* dst 64-byte aligned, src a 64-byte aligned buffer. */
static inline void fa_stream_f32(float *dst, const float *src, fa_intp m)
{
    fa_intp i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= m; i += 16)
        _mm512_stream_ps(dst + i, _mm512_load_ps(src + i));
#elif defined(__AVX__)
    for (; i + 8 <= m; i += 8)
        _mm256_stream_ps(dst + i, _mm256_load_ps(src + i));
#else
    for (; i + 4 <= m; i += 4)
        _mm_stream_ps(dst + i, _mm_load_ps(src + i));
#endif
    for (; i < m; i++)
        dst[i] = src[i];
}
static inline void fa_stream_f64(double *dst, const double *src, fa_intp m)
{
    fa_intp i = 0;
#if defined(__AVX512F__)
    for (; i + 8 <= m; i += 8)
        _mm512_stream_pd(dst + i, _mm512_load_pd(src + i));
#elif defined(__AVX__)
    for (; i + 4 <= m; i += 4)
        _mm256_stream_pd(dst + i, _mm256_load_pd(src + i));
#else
    for (; i + 2 <= m; i += 2)
        _mm_stream_pd(dst + i, _mm_load_pd(src + i));
#endif
    for (; i < m; i++)
        dst[i] = src[i];
}
/* Non-temporal stores are weakly ordered: fence them before the chunk is
 * counted done (or the call returns). */
static inline void fa_stream_fence(void) { _mm_sfence(); }
#else
#define FA_HAVE_STREAM 0
#endif

/* kernels.c is compiled once per instruction-set variant (setup.py);
 * FA_VARIANT names the table each build exports. */
#ifndef FA_VARIANT
#define FA_VARIANT baseline
#endif
#define FA_CAT_(a, b) a##b
#define FA_CAT(a, b) FA_CAT_(a, b)
#define FA_TABLE FA_CAT(fa_table_, FA_VARIANT)
/* Generated functions carry the variant in their name, so the variants'
 * code can be told apart in the built module (tools/check_vectorized.py). */
#define FA_V(name) FA_CAT(name##_, FA_VARIANT)

typedef struct {
    const char *name;        /* "baseline", "avx2", "avx512" */
    const fa_ufunc_def *table;
    int supported;           /* this CPU can run it */
} fa_variant;

int fa_variants(const fa_variant **out);
void fa_set_thread_limit(int n);
void fa_set_min_parallel_override(fa_intp n);
int fa_get_thread_limit(void);
int fa_have_pool(void);
long long fa_pool_jobs(void);     /* calls the pool has run on > 1 thread */

#endif

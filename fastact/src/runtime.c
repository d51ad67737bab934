/* Runtime state of the compiled module: the thread limit, and the kernel
 * variants compiled in with whether this CPU can run them. */
#include "fa_runtime.h"

int fa_thread_limit = 1;

extern const fa_ufunc_def fa_table_baseline[];
#ifdef FA_HAVE_AVX2
extern const fa_ufunc_def fa_table_avx2[];
#endif
#ifdef FA_HAVE_AVX512
extern const fa_ufunc_def fa_table_avx512[];
#endif

/* x86-64-v3 (AVX2, FMA, BMI1/2, ...) and x86-64-v4 (AVX-512 F/BW/CD/DQ/VL),
 * the levels the variants are compiled for; the checks include the OS
 * support for the wider registers (libgcc reads XCR0). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
static int cpu_has(int level)
{
    __builtin_cpu_init();
    return level == 3 ? __builtin_cpu_supports("x86-64-v3") : __builtin_cpu_supports("x86-64-v4");
}
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
static int cpu_has(int level)
{
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
             && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    return level == 3 ? v3 : v3 && __builtin_cpu_supports("avx512f")
           && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd")
           && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}
#else
static int cpu_has(int level) { (void)level; return 0; }
#endif

int fa_variants(const fa_variant **out)
{
    static fa_variant variants[3];
    int n = 0;
    variants[n].name = "baseline";
    variants[n].table = fa_table_baseline;
    variants[n++].supported = 1;
#ifdef FA_HAVE_AVX2
    variants[n].name = "avx2";
    variants[n].table = fa_table_avx2;
    variants[n++].supported = cpu_has(3);
#endif
#ifdef FA_HAVE_AVX512
    variants[n].name = "avx512";
    variants[n].table = fa_table_avx512;
    variants[n++].supported = cpu_has(4);
#endif
    *out = variants;
    return n;
}

int fa_openmp_version(void)
{
#ifdef _OPENMP
    return _OPENMP;
#else
    return 0;
#endif
}

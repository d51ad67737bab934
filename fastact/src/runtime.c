/* Runtime state of the compiled module: thread limit, variant list. */
#include "fa_runtime.h"

int fa_thread_limit = 1;

int fa_variants(const fa_variant **out)
{
    static fa_variant variants[1];
    variants[0].name = "baseline";
    variants[0].table = fa_table_baseline;
    variants[0].supported = 1;
    *out = variants;
    return 1;
}

int fa_openmp_version(void)
{
#ifdef _OPENMP
    return _OPENMP;
#else
    return 0;
#endif
}

/* Stress of fastact's thread pool (fastact/src/runtime/runtime.c) for
 * ThreadSanitizer; tools/tsan.sh builds and runs it:
 *
 *   gcc -fsanitize=thread -g -O1 -pthread -fopenmp-simd -Ifastact/src \
 *       tools/tsan_pool.c fastact/src/runtime/runtime.c -o tsan_pool
 *   ./tsan_pool [SCALE]          # SCALE multiplies every iteration count
 *
 * fa_parallel_loop runs small strided loops (y = 2x + 1, y = x + 2z, rows
 * y[r, j] = x[r, j] + j) the way the generated kernels call it.  After
 * every call the touched memory (and a guard either side) is compared with
 * the same loop run serially on a copy: a chunk run twice (in place,
 * 2(2x + 1) + 1), skipped, run on a stale job or out of order over an
 * overlapping output shows as a wrong element.  TSan watches the rest.
 * Exit status 1 on a wrong result; TSan's own (tools/tsan.sh sets 66). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runtime/fa_runtime.h"

/* runtime.c lists the kernel tables (fa_variants); none is used here. */
const fa_ufunc_def fa_table_baseline[1];

/* ---- the loops (fa_loop), on doubles holding small integers: exact ---- */

static _Thread_local unsigned jitter;

/* Now and then a chunk gives its core away, so that helpers and callers
 * interleave differently from call to call (late helpers, stale words). */
static void maybe_yield(void)
{
    if ((++jitter & 7) == 0)
        sched_yield();
}

#define AT(p) (*(double *)(p))

static void affine(char **args, fa_intp const *dims, fa_intp const *steps, void *data)
{
    (void)data;
    char *x = args[0], *y = args[1];
    maybe_yield();
    for (fa_intp i = 0; i < dims[0]; i++, x += steps[0], y += steps[1])
        AT(y) = 2 * AT(x) + 1;
}

static void add2(char **args, fa_intp const *dims, fa_intp const *steps, void *data)
{
    (void)data;
    char *x = args[0], *z = args[1], *y = args[2];
    maybe_yield();
    for (fa_intp i = 0; i < dims[0]; i++, x += steps[0], z += steps[1], y += steps[2])
        AT(y) = AT(x) + 2 * AT(z);
}

/* A gufunc (n)->(n): dims[1] is the row length, steps[2], steps[3] the
 * core strides of x and y. */
static void rows(char **args, fa_intp const *dims, fa_intp const *steps, void *data)
{
    (void)data;
    char *x = args[0], *y = args[1];
    maybe_yield();
    for (fa_intp r = 0; r < dims[0]; r++, x += steps[0], y += steps[1])
        for (fa_intp j = 0; j < dims[1]; j++)
            AT(y + j * steps[3]) = AT(x + j * steps[2]) + (double)j;
}

/* ---- one call: operands placed in a buffer, checked against serial ---- */

enum { SEPARATE, IN_PLACE, SHIFTED, INTERLEAVED, NLAYOUTS };
static const char *layout_name[] = {"separate", "in place", "shifted", "interleaved"};

#define MAXN 3000          /* elements per operand (rows: rows x length) */
#define GUARD 16
#define BUF (2 * GUARD + 3 * (3 * MAXN + 5) + GUARD)

typedef struct {
    unsigned long long rng;
    double buf[BUF], ref[BUF];
    long calls;
} ctx_t;

static unsigned rnd(ctx_t *c, unsigned n)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return (unsigned)(c->rng >> 11) % n;
}

typedef struct {
    fa_loop fn;
    const char *name;
    int nop, ndims, layout;
    fa_intp off[3];             /* operands' first element in buf */
    fa_intp dims[3];
    fa_intp steps[6];           /* bytes */
    fa_intp lo, hi;             /* elements the call may touch */
} call_t;

static void touch(call_t *k, fa_intp e)
{
    k->lo = e < k->lo ? e : k->lo;
    k->hi = e + 1 > k->hi ? e + 1 : k->hi;
}

/* A random call of layout `layout` (-1: any).  Elementwise operands get
 * steps of -2..3 elements; the output overlaps input 0 as the layout says. */
static void make_call(ctx_t *c, call_t *k, int layout)
{
    memset(k, 0, sizeof *k);
    k->layout = layout >= 0 ? layout : (int)rnd(c, NLAYOUTS);
    int kind = rnd(c, 3);
    if (kind < 2) {
        static const int step_of[] = {1, 1, 2, 3, -1, -2};
        fa_intp n = rnd(c, 4) ? rnd(c, MAXN + 1) : rnd(c, 64);
        k->fn = kind ? add2 : affine;
        k->name = kind ? "x + 2z" : "2x + 1";
        k->nop = kind ? 3 : 2;
        k->ndims = 1;
        k->dims[0] = n;
        fa_intp base = 2 * GUARD, st[3];
        int o = k->nop - 1;
        for (int a = 0; a < k->nop; a++)
            st[a] = step_of[rnd(c, 6)];
        if (k->layout == INTERLEAVED)
            st[0] = st[o] = 2;
        for (int a = 0; a < k->nop; a++) {
            if (a == o && k->layout != SEPARATE)
                break;              /* placed by the layout below */
            fa_intp span = n ? (n - 1) * (st[a] < 0 ? -st[a] : st[a]) + 1 : 1;
            k->off[a] = base + (st[a] < 0 ? span - 1 : 0);
            base += span + 1 + rnd(c, 4);
        }
        int a = k->nop == 3 ? (int)rnd(c, 2) : 0;
        switch (k->layout) {
        case IN_PLACE:              /* out is x (or z of x + 2z) */
            st[o] = st[a];
            k->off[o] = k->off[a];
            break;
        case SHIFTED:               /* out = x moved by 1..3 elements either way */
            st[o] = st[0];
            k->off[o] = k->off[0] + (rnd(c, 2) ? 1 : -1) * (1 + (fa_intp)rnd(c, 3));
            break;
        case INTERLEAVED:           /* x on even elements, out on the odd ones between */
            k->off[o] = k->off[0] + 1;
            break;
        }
        for (int a = 0; a < k->nop; a++)
            k->steps[a] = st[a] * (fa_intp)sizeof(double);
    } else {
        /* rows x length, C order or transposed (x, y each) */
        fa_intp len = 1 + rnd(c, 40), r = rnd(c, MAXN / len + 1);
        k->fn = rows;
        k->name = "rows";
        k->nop = 2;
        k->ndims = 2;
        k->dims[0] = r;
        k->dims[1] = len;
        for (int a = 0; a < 2; a++) {
            int t = rnd(c, 2);
            k->off[a] = GUARD + a * (MAXN + 8);
            k->steps[a] = (t ? 1 : len) * (fa_intp)sizeof(double);
            k->steps[2 + a] = (t ? r : 1) * (fa_intp)sizeof(double);
        }
        if (k->layout == IN_PLACE) {
            k->off[1] = k->off[0];
            k->steps[1] = k->steps[0];
            k->steps[3] = k->steps[2];
        } else if (k->layout == SHIFTED || k->layout == INTERLEAVED) {
            k->layout = SHIFTED;    /* y = x one row (or column) on */
            k->off[1] = k->off[0] + k->steps[0] / (fa_intp)sizeof(double);
            k->steps[1] = k->steps[0];
            k->steps[3] = k->steps[2];
        }
    }
    k->lo = BUF;
    k->hi = 0;
    for (int a = 0; a < k->nop; a++) {
        fa_intp last = k->dims[0] ? (k->dims[0] - 1) * k->steps[a] / (fa_intp)sizeof(double) : 0;
        if (k->ndims == 2 && k->dims[1] > 0)
            last += (k->dims[1] - 1) * k->steps[2 + a] / (fa_intp)sizeof(double);
        touch(k, k->off[a]);
        touch(k, k->off[a] + last);
    }
    k->lo -= GUARD;
    k->hi += GUARD;
    if (k->lo < 0 || k->hi > BUF) {
        fprintf(stderr, "tsan_pool: bad layout [%ld, %ld)\n", (long)k->lo, (long)k->hi);
        exit(2);
    }
}

static void fail(const char *scenario, call_t *k, int nt, fa_intp align, fa_intp e,
                 double got, double want)
{
    fprintf(stderr, "tsan_pool: WRONG RESULT in %s: %s, %s, dims %ld x %ld, steps %ld %ld %ld, "
            "nt %d, align %ld: element %ld is %g, serially %g\n", scenario, k->name,
            layout_name[k->layout], (long)k->dims[0], (long)k->dims[1], (long)k->steps[0],
            (long)k->steps[1], (long)k->steps[2], nt, (long)align, (long)e, got, want);
    exit(1);
}

/* Runs `k` with fa_parallel_loop on nt threads and serially on a copy;
 * the two must agree on every element of [lo, hi). */
static void run_call(ctx_t *c, call_t *k, int nt, fa_intp align, const char *scenario)
{
    char *args[3], *rargs[3];
    for (fa_intp e = k->lo; e < k->hi; e++)
        c->buf[e] = (double)rnd(c, 1000);
    memcpy(c->ref + k->lo, c->buf + k->lo, (size_t)(k->hi - k->lo) * sizeof(double));
    for (int a = 0; a < k->nop; a++) {
        args[a] = (char *)(c->buf + k->off[a]);
        rargs[a] = (char *)(c->ref + k->off[a]);
    }
    fa_parallel_loop(k->fn, k->nop, args, k->ndims, k->dims, k->steps, align, nt);
    k->fn(rargs, k->dims, k->steps, NULL);
    for (fa_intp e = k->lo; e < k->hi; e++)
        if (c->buf[e] != c->ref[e])
            fail(scenario, k, nt, align, e, c->buf[e], c->ref[e]);
    c->calls++;
}

static fa_intp random_align(ctx_t *c)
{
    static const fa_intp aligns[] = {1, 1, 4, 64};
    return aligns[rnd(c, 4)];
}

/* ---- scenarios ---- */

static long scale = 1;
static atomic_int stop;

typedef struct {
    const char *scenario;
    int mode;          /* what the caller thread does, below */
    long iterations;
    ctx_t *c;
} job_t;

enum { RANDOM, BY_LIMIT, OVERLAPS, TINY, SPIN, LIMITS };

static void *thread_main(void *arg)
{
    job_t *j = arg;
    ctx_t *c = j->c;
    call_t k;
    volatile double sink = 0;
    switch (j->mode) {
    case RANDOM:       /* several callers: one wins `busy`, the others run serially */
        for (long i = 0; i < j->iterations; i++) {
            make_call(c, &k, -1);
            run_call(c, &k, 2 + rnd(c, 3), random_align(c), j->scenario);
        }
        break;
    case BY_LIMIT:     /* threads as the kernels pick them: the limit of the moment */
        for (long i = 0; i < j->iterations; i++) {
            make_call(c, &k, -1);
            int nt = fa_threads_for(k.dims[0] * (k.ndims == 2 ? k.dims[1] : 1), 64);
            run_call(c, &k, nt, random_align(c), j->scenario);
        }
        break;
    case OVERLAPS:
        for (long i = 0; i < j->iterations; i++) {
            make_call(c, &k, IN_PLACE + (int)rnd(c, 3));
            run_call(c, &k, 2 + rnd(c, 2), random_align(c), j->scenario);
        }
        break;
    case TINY:         /* small jobs back to back: contends for `busy` */
        while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
            make_call(c, &k, rnd(c, 2) ? SEPARATE : IN_PLACE);
            if (k.ndims == 1)
                k.dims[0] = k.dims[0] % 200;
            else
                k.dims[0] = k.dims[0] % 8;
            run_call(c, &k, 2, 1, j->scenario);
        }
        break;
    case SPIN:         /* a co-tenant burning its core */
        while (!atomic_load_explicit(&stop, memory_order_relaxed))
            for (int i = 0; i < 100000; i++)
                sink = sink * 0.5 + i;
        break;
    case LIMITS:       /* the process-wide limit changes mid-flight */
        while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
            fa_set_thread_limit((int)rnd(c, 7));        /* 0 means 1 */
            /* what _ext.set_min_parallel_override does (a test hook for
             * tools/measure_thresholds.py, callable from any Python thread) */
            fa_set_min_parallel_override(rnd(c, 2) ? 0 : 1 + rnd(c, 200));
            int got = fa_get_thread_limit();
            if (got < 1 || got > 6) {
                fprintf(stderr, "tsan_pool: thread limit %d\n", got);
                exit(1);
            }
            c->calls++;
            struct timespec t = {0, 20000 + rnd(c, 200000)};
            nanosleep(&t, NULL);
        }
        break;
    }
    return NULL;
}

static ctx_t *new_ctx(unsigned long long seed)
{
    ctx_t *c = calloc(1, sizeof *c);
    if (!c) {
        perror("tsan_pool");
        exit(2);
    }
    c->rng = seed * 0x9E3779B97F4A7C15ull | 1;
    return c;
}

/* Runs the threads of one scenario; the background ones (iterations 0)
 * stop when the others are done. */
static void scenario(const char *name, const char *what, int nthreads, const int *modes,
                     const long *iterations)
{
    pthread_t t[8];
    job_t jobs[8];
    struct timespec t0, t1;
    long long jobs0 = fa_pool_jobs();
    long calls = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atomic_store(&stop, 0);
    for (int i = 0; i < nthreads; i++) {
        jobs[i] = (job_t){name, modes[i], iterations[i] * scale, new_ctx(1000 * i + 17)};
        if (pthread_create(&t[i], NULL, thread_main, &jobs[i]) != 0) {
            perror("tsan_pool: pthread_create");
            exit(2);
        }
    }
    for (int pass = 0; pass < 2; pass++) {         /* workers first, then the background */
        for (int i = 0; i < nthreads; i++)
            if ((iterations[i] == 0) == pass) {
                pthread_join(t[i], NULL);
                if (modes[i] != LIMITS && modes[i] != SPIN)
                    calls += jobs[i].c->calls;
                free(jobs[i].c);
            }
        atomic_store(&stop, 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("  %-9s %-62s %6ld calls checked, %5lld on the pool, %.1f s\n", name, what, calls,
           fa_pool_jobs() - jobs0, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    fflush(stdout);
}

/* Single-threaded, so the pool's job counter is exact: in place runs on
 * the pool, a partial overlap (shifted, interleaved) falls back to serial. */
static void overlap_policy(void)
{
    ctx_t *c = new_ctx(5);
    call_t k;
    int want[NLAYOUTS] = {1, 1, 0, 0};
    long calls = 0;
    for (int layout = 0; layout < NLAYOUTS; layout++)
        for (int i = 0; i < 50; i++) {
            make_call(c, &k, layout);
            if (k.dims[0] < 16)
                continue;
            long long before = fa_pool_jobs();
            run_call(c, &k, 2, 1, "policy");
            calls++;
            int wanted = want[k.layout];
            if (fa_pool_jobs() - before != wanted) {
                fprintf(stderr, "tsan_pool: %s %s (dims %ld x %ld) ran %s\n", k.name,
                        layout_name[k.layout], (long)k.dims[0], (long)k.dims[1],
                        wanted ? "serially" : "on the pool");
                exit(1);
            }
        }
    free(c);
    printf("  %-9s %-62s %6ld calls checked\n", "policy",
           "1 thread: in place on the pool, partial overlaps serial", calls);
}

/* fork() while another thread runs pool calls: the child (the pool's
 * pthread_atfork handler reset it) starts its own helpers and must get
 * right results.  A child's failure or TSan report becomes the parent's. */
static void fork_scenario(long forks)
{
    /* small calls back to back: a fork often lands in the middle of one */
    job_t caller = {"fork", TINY, 0, new_ctx(99)};
    pthread_t t;
    struct timespec t0, t1;
    long children = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atomic_store(&stop, 0);
    fa_set_thread_limit(4);
    if (pthread_create(&t, NULL, thread_main, &caller) != 0) {
        perror("tsan_pool: pthread_create");
        exit(2);
    }
    for (long i = 0; i < forks; i++) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("tsan_pool: fork");
            exit(2);
        }
        if (pid == 0) {
            ctx_t *c = new_ctx(1000 + (unsigned long long)i);
            call_t k;
            long long before = fa_pool_jobs();
            for (int j = 0; j < 40; j++) {
                make_call(c, &k, SEPARATE);
                run_call(c, &k, 2 + rnd(c, 2), random_align(c), "fork (child)");
            }
            if (fa_pool_jobs() == before) {
                fprintf(stderr, "tsan_pool: the child never used the pool\n");
                _exit(1);
            }
            _exit(0);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
            fprintf(stderr, "tsan_pool: forked child failed (status %d)\n",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
        }
        children++;
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("  %-9s %-62s %6ld children of 40 calls, %ld in the parent, %.1f s\n", "fork",
           "fork() beside a thread of tiny calls; the child uses the pool", children,
           caller.c->calls,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    free(caller.c);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        scale = atol(argv[1]) > 0 ? atol(argv[1]) : 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    printf("tsan_pool: fa_parallel_loop stress (scale %ld), every call checked against serial\n",
           scale);
    fflush(stdout);

    overlap_policy();
    {
        int modes[] = {RANDOM};
        long its[] = {600};
        scenario("solo", "1 C thread, nt 2-4, back to back (late helpers, stale words)",
                 1, modes, its);
    }
    {
        int modes[] = {RANDOM, RANDOM, RANDOM, RANDOM};
        long its[] = {150, 150, 150, 150};
        scenario("callers", "4 C threads, nt 2-4, all layouts", 4, modes, its);
    }
    {
        int modes[] = {BY_LIMIT, BY_LIMIT, BY_LIMIT, LIMITS};
        long its[] = {200, 200, 200, 0};
        fa_set_thread_limit(4);
        scenario("limit", "3 C threads, nt = fa_threads_for(); 1 thread sets limit 1-6",
                 4, modes, its);
    }
    {
        int modes[] = {OVERLAPS, OVERLAPS, OVERLAPS};
        long its[] = {200, 200, 200};
        scenario("overlap", "3 C threads: in place, shifted, interleaved outputs", 3, modes, its);
    }
    {
        int modes[] = {RANDOM, TINY, SPIN, SPIN};
        long its[] = {300, 0, 0, 0};
        scenario("cotenant", "1 caller; 1 thread of tiny jobs for `busy`; 2 spinning",
                 4, modes, its);
    }
    fork_scenario(10 * scale);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("tsan_pool: all results right, %.1f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    return 0;
}

/* Runtime state of the compiled module: the thread limit, and the kernel
 * variants compiled in with whether this CPU can run them. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE           /* sched_getcpu, CPU_SET (move_off_cpu) */
#endif
#include "runtime/fa_runtime.h"

atomic_int fa_thread_limit = 1;
_Atomic fa_intp fa_min_parallel_override = 0;

void fa_set_thread_limit(int n) { atomic_store(&fa_thread_limit, n < 1 ? 1 : n); }
int fa_get_thread_limit(void) { return atomic_load(&fa_thread_limit); }
void fa_set_min_parallel_override(fa_intp n)
{
    atomic_store_explicit(&fa_min_parallel_override, n < 0 ? 0 : n, memory_order_relaxed);
}
int fa_have_pool(void) { return FA_HAVE_POOL; }

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

/* ---- Threads: a small pool of helper threads (fa_parallel_loop) ----
 *
 * Why not `omp parallel for`: this machine class is shared.  When another
 * process keeps one core busy, an OpenMP worker that is not running makes
 * the whole call wait for it at the region's closing barrier, a scheduler
 * time slice: a 2-thread sigmoid on 1e5 float32 went from 30 us to 8-12 ms
 * (OMP_WAIT_POLICY=passive / GOMP_SPINCOUNT=0 fix that but make every call
 * pay a futex wake-up, 2 threads slower than 1 at 1e5 on a quiet machine;
 * and they only work if set before libgomp loads).  The implicit barrier
 * cannot be removed: even with nowait and a dynamic schedule the late
 * worker must still arrive.
 *
 * Here the caller publishes a job of chunks and claims chunks itself like
 * any helper; it waits only for chunks a helper has already claimed, never
 * for a helper to show up.  A descheduled helper costs nothing (the caller
 * does all the work, a 1-thread call); a running one halves the time.
 * A helper that arrives late finds the job's generation gone and does
 * nothing.  Helpers spin FA_SPIN_NS for the next job, then sleep on a
 * condition variable (no CPU taken from other processes when idle).
 *
 * One job at a time: a caller that finds the pool busy (another Python
 * thread's call) runs serially instead of oversubscribing the cores.
 * Job state is one 64-bit word, generation << 32 | back << 16 | front,
 * claimed by compare-and-swap, so a late helper cannot claim a chunk of a
 * later job with a stale job pointer.  The caller claims chunks from the
 * front, helpers from the back: call after call each thread then gets
 * about the same part of the arrays, and the output lines it writes are
 * already in its own cache (claiming in one order moved them between the
 * cores at every call: relu on 1e5 float32 took 9.4 us on 2 threads, 5.7
 * on 1). */
#if FA_HAVE_POOL
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

/* glibc 2.34 moved the pthread functions into libc under new symbol
 * versions (pthread_create@GLIBC_2.34, pthread_sigmask@GLIBC_2.32), which
 * a module linked there would require: manylinux_2_34, not installable on
 * RHEL 8 or Debian 11.  The original versions are still exported with the
 * same behaviour; binding to them keeps the wheel manylinux_2_17.  (On an
 * older glibc they resolve in libpthread, which CPython there loads.) */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
#if defined(__x86_64__)
__asm__(".symver pthread_create, pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_sigmask, pthread_sigmask@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver pthread_create, pthread_create@GLIBC_2.17");
__asm__(".symver pthread_sigmask, pthread_sigmask@GLIBC_2.17");
#endif
#endif

#define FA_MAX_HELPERS 63
#define FA_SPIN_NS 1000000         /* 1 ms: back-to-back calls find helpers awake */
#define FA_CHUNKS_PER_THREAD 8     /* fine enough to balance, few atomics */
#define FA_MAX_CHUNKS 0xffff       /* front and back are 16-bit fields */

#if defined(__x86_64__) || defined(__i386__)
#define FA_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define FA_RELAX() __asm__ __volatile__("yield")
#else
#define FA_RELAX() ((void)0)
#endif

typedef struct {
    fa_loop fn;
    int nop, ndims;
    char **args;
    fa_intp const *dims, *steps;
    fa_intp n, grain;
} fa_job;

static struct {
    _Atomic uint64_t state;          /* generation << 32 | back << 16 | front: chunks
                                        [front, back) are unclaimed */
    _Atomic(const fa_job *) job;     /* the current generation's job */
    atomic_int nt;                   /* its threads, the caller included */
    _Atomic fa_intp done;            /* its chunks finished */
    atomic_flag busy;                /* held by the caller running a job */
    atomic_int sleepers;             /* helpers waiting on `wake` */
    int helpers;                     /* helpers started (changed under busy) */
    atomic_llong jobs;               /* jobs run (fa_pool_jobs, for tests) */
    atomic_int caller_cpu;           /* the CPU the last job's caller ran on, or -1 */
    pthread_mutex_t lock;
    pthread_cond_t wake;
} pool = {.busy = ATOMIC_FLAG_INIT, .caller_cpu = -1, .lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER};

static void run_chunk(const fa_job *j, fa_intp c)
{
    fa_intp begin = c * j->grain;
    fa_intp len = j->n - begin < j->grain ? j->n - begin : j->grain;
    char *a[FA_MAX_OPERANDS];
    fa_intp d[3];
    for (int k = 0; k < j->nop; k++)
        a[k] = j->args[k] + begin * j->steps[k];
    d[0] = len;
    for (int k = 1; k < j->ndims; k++)
        d[k] = j->dims[k];
    j->fn(a, d, j->steps, NULL);
}

/* Claims and runs chunks of generation `gen` until none is left, from the
 * front (the caller) or the back (helpers).  The job pointer is only
 * followed after a successful claim: a claimed chunk keeps its job (and
 * the caller's stack frame) alive until it is counted done.  The claim
 * succeeds only if the state word is unchanged since it was read, and the
 * caller stores a new job only after changing the word (closing this
 * generation), so the job read before the claim is this generation's. */
static void work(uint32_t gen, int from_back)
{
    uint64_t s = atomic_load_explicit(&pool.state, memory_order_acquire);
    for (;;) {
        uint32_t front = (uint32_t)s & 0xffff, back = (uint32_t)(s >> 16) & 0xffff;
        if ((uint32_t)(s >> 32) != gen || front >= back)
            return;
        const fa_job *j = atomic_load_explicit(&pool.job, memory_order_acquire);
        uint32_t c = from_back ? back - 1 : front;
        uint64_t claimed = from_back ? s - ((uint64_t)1 << 16) : s + 1;
        if (atomic_compare_exchange_weak_explicit(&pool.state, &s, claimed,
                memory_order_acquire, memory_order_acquire)) {
            run_chunk(j, c);
            atomic_fetch_add_explicit(&pool.done, 1, memory_order_release);
            s = atomic_load_explicit(&pool.state, memory_order_acquire);
        }
    }
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The CPU this thread runs on, or -1 where that is unknown */
static int current_cpu(void)
{
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
}

/* A helper woken from its sleep may be placed on the CPU of the caller
 * that woke it (Linux's wake-affine), with another CPU idle: there the
 * two share one CPU, call after call (a 2-thread exp on 1e5 float32 took
 * 153 us instead of 80, 1 thread 190, in most rounds that followed 50 ms
 * of another process on a core; the benchmark's alternating processes).
 * The load balancer does not move a thread that runs all the time, so
 * the helper leaves by itself: for an instant its affinity excludes that
 * CPU, then the mask it had is restored (the process's own affinity is
 * respected: with one allowed CPU nothing changes). */
static void move_off_cpu(int cpu)
{
#if defined(__linux__)
    cpu_set_t mask, other;
    if (cpu < 0 || current_cpu() != cpu || sched_getaffinity(0, sizeof mask, &mask) != 0
            || !CPU_ISSET(cpu, &mask) || CPU_COUNT(&mask) < 2)
        return;
    other = mask;
    CPU_CLR(cpu, &other);
    if (sched_setaffinity(0, sizeof other, &other) == 0)
        sched_setaffinity(0, sizeof mask, &mask);
#else
    (void)cpu;
#endif
}

/* The next generation after `seen`: spin a while, then sleep.  The caller
 * stores the generation, then reads `sleepers`; a helper counts itself in
 * `sleepers`, then reads the generation (both sequentially consistent), so
 * either the caller sees the sleeper and signals, or the helper sees the
 * new job and does not sleep.  A helper on the caller's CPU leaves it
 * (move_off_cpu), whether it slept or spun: a spinning helper that lands
 * there stays (full benchmark runs: 6 and 4 of 306 rows below PyTorch
 * with this check, 9-12 in three runs without; not shown case by case). */
static uint32_t next_job(uint32_t seen)
{
    int64_t start = now_ns();
    for (unsigned i = 1;; i++) {
        uint32_t gen = (uint32_t)(atomic_load_explicit(&pool.state, memory_order_acquire) >> 32);
        if (gen != seen) {
            move_off_cpu(atomic_load_explicit(&pool.caller_cpu, memory_order_relaxed));
            return gen;
        }
        FA_RELAX();
        if ((i & 63) == 0) {
            if (now_ns() - start > FA_SPIN_NS)
                break;
            sched_yield();    /* a busy machine: the caller may be waiting for this core */
        }
    }
    uint32_t gen;
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.sleepers, 1);
    while ((gen = (uint32_t)(atomic_load(&pool.state) >> 32)) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.lock);
    move_off_cpu(atomic_load_explicit(&pool.caller_cpu, memory_order_relaxed));
    return gen;
}

static void *helper_main(void *arg)
{
    int self = (int)(intptr_t)arg;       /* 1, 2, ...: the caller is 0 */
    uint32_t seen = (uint32_t)(atomic_load(&pool.state) >> 32);
    for (;;) {
        seen = next_job(seen);
        if (self < atomic_load_explicit(&pool.nt, memory_order_relaxed))
            work(seen, 1);
    }
    return NULL;
}

/* A forked child has none of the parent's helpers. */
static void after_fork_in_child(void)
{
    pool.helpers = 0;
    atomic_store(&pool.sleepers, 0);
    atomic_flag_clear(&pool.busy);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
}

/* Start helpers up to `wanted` (called holding `busy`). */
static void start_helpers(int wanted)
{
    static int fork_handler;
    if (!fork_handler)
        fork_handler = pthread_atfork(NULL, NULL, after_fork_in_child) == 0;
    if (wanted > FA_MAX_HELPERS)
        wanted = FA_MAX_HELPERS;
    pthread_attr_t attr;
    sigset_t all, old;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigfillset(&all);                     /* signals stay with Python's threads */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    while (pool.helpers < wanted) {
        pthread_t t;
        if (pthread_create(&t, &attr, helper_main, (void *)(intptr_t)(pool.helpers + 1)) != 0)
            break;
        pool.helpers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
}

/* The bytes [*lo, *hi) operand k may touch: dims[0] steps of steps[k],
 * and (gufuncs: each of our operands has one core dimension, its stride
 * steps[nop + k]) its core dimension, dims[min(k + 1, ndims - 1)] (our
 * signatures: (n),...->(n) has one core dimension; glu's (n)->(m) and
 * (m),(n)->(n) give the first operand the first one, the rest the second:
 * NumPy numbers core dimensions in order of appearance); items of up to
 * 8 bytes.  (The longest core dimension for every operand made glu's
 * gradient, half as long as x, overlap an output allocated just after it:
 * serial calls.) */
static void operand_span(int k, int nop, char **args, int ndims, fa_intp const *dims,
                         fa_intp const *steps, uintptr_t *lo, uintptr_t *hi)
{
    uintptr_t p = (uintptr_t)args[k];
    fa_intp outer = (dims[0] - 1) * steps[k], core = 0;
    fa_intp length = ndims > 1 ? dims[k + 1 < ndims ? k + 1 : ndims - 1] : 0;
    if (length > 0)
        core = (length - 1) * steps[nop + k];
    fa_intp down = (outer < 0 ? outer : 0) + (core < 0 ? core : 0);
    fa_intp up = (outer > 0 ? outer : 0) + (core > 0 ? core : 0) + 8;
    *lo = p + (uintptr_t)down;      /* (modular: down <= 0) */
    *hi = p + (uintptr_t)up;
}

/* Does the output share memory with an input other than as the very same
 * array?  NumPy leaves such overlap in place when writing in iteration
 * order never overwrites an input element before it is read (out = x
 * shifted back by one element, NPY_ITER_OVERLAP_ASSUME_ELEMENTWISE); chunks
 * run on several threads, out of order, would read overwritten inputs.
 * Those calls run serially; in place (out identical to an input) stays
 * parallel. */
static int output_overlaps_input(int nop, char **args, int ndims, fa_intp const *dims,
                                 fa_intp const *steps)
{
    int o = nop - 1;
    uintptr_t olo, ohi, lo, hi;
    operand_span(o, nop, args, ndims, dims, steps, &olo, &ohi);
    for (int k = 0; k < o; k++) {
        if (args[k] == args[o] && steps[k] == steps[o]
                && (ndims == 1 || steps[nop + k] == steps[nop + o]))
            continue;                         /* in place */
        operand_span(k, nop, args, ndims, dims, steps, &lo, &hi);
        if (lo < ohi && olo < hi)
            return 1;
    }
    return 0;
}

void fa_parallel_loop(fa_loop serial, int nop, char **args, int ndims,
                      fa_intp const *dims, fa_intp const *steps, fa_intp align, int nt)
{
    fa_intp n = dims[0];
    fa_intp want = (fa_intp)nt * FA_CHUNKS_PER_THREAD;
    fa_intp grain = ((n + want - 1) / want + align - 1) / align * align;
    fa_intp nchunks = grain > 0 ? (n + grain - 1) / grain : 0;
    if (nt < 2 || nchunks < 2 || nchunks > FA_MAX_CHUNKS || nop > FA_MAX_OPERANDS || ndims > 3
            || output_overlaps_input(nop, args, ndims, dims, steps)
            || atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) {
        serial(args, dims, steps, NULL);
        return;
    }
    if (pool.helpers < nt - 1)
        start_helpers(nt - 1);
    /* Close the previous generation first (a new generation with no chunk
     * to claim): a helper still holding a stale state word must not claim
     * a chunk of the job stored below, which would run it twice (in place,
     * f(f(x))) and count it done while it still writes.  Then store the job
     * and open a new generation with chunks [0, nchunks). */
    uint32_t gen = (uint32_t)(atomic_load_explicit(&pool.state, memory_order_relaxed) >> 32) + 1;
    atomic_store(&pool.state, (uint64_t)gen << 32);
    fa_job job = {serial, nop, ndims, args, dims, steps, n, grain};
    atomic_store_explicit(&pool.job, &job, memory_order_release);
    atomic_store_explicit(&pool.nt, nt, memory_order_relaxed);
    atomic_store_explicit(&pool.done, 0, memory_order_relaxed);
    gen++;
    atomic_store_explicit(&pool.caller_cpu, current_cpu(), memory_order_relaxed);
    atomic_store(&pool.state, (uint64_t)gen << 32 | (uint64_t)nchunks << 16);   /* publish */
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    atomic_fetch_add_explicit(&pool.jobs, 1, memory_order_relaxed);
    work(gen, 0);
    /* Only chunks a helper claimed remain: wait for those.  Past a few
     * microseconds the helper is likely not running, maybe waiting for this
     * very core: yield it. */
    for (unsigned i = 1; atomic_load_explicit(&pool.done, memory_order_acquire) < nchunks; i++) {
        FA_RELAX();
        if (i >= 64)
            sched_yield();
    }
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}

long long fa_pool_jobs(void) { return atomic_load(&pool.jobs); }

#else   /* no POSIX threads: always serial */
void fa_parallel_loop(fa_loop serial, int nop, char **args, int ndims,
                      fa_intp const *dims, fa_intp const *steps, fa_intp align, int nt)
{
    (void)nop; (void)ndims; (void)align; (void)nt;
    serial(args, dims, steps, NULL);
}

long long fa_pool_jobs(void) { return 0; }
#endif

"""NumPy float32 reference timings: median ns/element over many runs, n = 1e6
contiguous float32, out= preallocated (single thread, as NumPy is)."""
import sys, time
import numpy as np

def bench(f, x, out, reps=201):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter_ns(); f(x, out); ts.append(time.perf_counter_ns() - t0)
    ts.sort()
    return ts[len(ts) // 2] / x.size

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = np.random.default_rng(1)
x = rng.uniform(-10, 10, n).astype(np.float32)
out = np.empty_like(x)
tmp = np.empty_like(x)
def sigmoid(x, o):            # best NumPy composition, in place
    np.negative(x, out=o); np.exp(o, out=o); o += 1; np.reciprocal(o, out=o)
def hard_sigmoid(x, o):       # np.clip(x/6 + 0.5, 0, 1), in place
    np.divide(x, np.float32(6), out=o); o += np.float32(0.5); np.clip(o, 0, 1, out=o)
def sparse_sigmoid(x, o):     # np.clip((x + 1)/2, 0, 1), in place
    np.add(x, np.float32(1), out=o); o *= np.float32(0.5); np.clip(o, 0, 1, out=o)
def squareplus(x, o):         # (x + np.sqrt(x*x + 4))/2, in place
    np.multiply(x, x, out=o); o += np.float32(4); np.sqrt(o, out=o); o += x; o *= np.float32(0.5)
cases = {
    "exp": lambda x, o: np.exp(x, out=o),
    "tanh": lambda x, o: np.tanh(x, out=o),
    "arctan": lambda x, o: np.arctan(x, out=o),
    "expm1": lambda x, o: np.expm1(x, out=o),
    "log1p": lambda x, o: np.log1p(x, out=o),
    "sigmoid(composed)": sigmoid,
    "silu(composed)": lambda x, o: (sigmoid(x, o), np.multiply(o, x, out=o)),
    "softplus(logaddexp(x,0))": lambda x, o: np.logaddexp(x, np.float32(0), out=o),
    "tanh_shrink(x - tanh(x))": lambda x, o: (np.tanh(x, out=o), np.subtract(x, o, out=o)),
    "hard_sigmoid(composed)": hard_sigmoid,
    "hard_swish(composed)": lambda x, o: (hard_sigmoid(x, o), np.multiply(o, x, out=o)),
    "sparse_sigmoid(composed)": sparse_sigmoid,
    "squareplus(composed)": squareplus,
    "copy": lambda x, o: np.copyto(o, x),
}
for name, f in cases.items():
    print(f"{name:28s} {bench(f, x, out):.3f} ns/el")

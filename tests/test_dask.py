"""fastact on Dask arrays (fastact/_api/duck.py): every catalog function, with its
parameter sets, forward, backward (from x, and from y= where allowed) and
derivative, returns a lazy dask array (nothing computed until .compute())
whose computed value equals fastact on the computed NumPy input.  Then the
same on a dask.distributed cluster of 2 worker processes, and the thread
count inside those workers.  Skipped when dask is not installed.
"""

import os
import threading

import numpy as np
import pytest

import fastact as fa
from helpers import DTYPES, case_id, cases, from_y_allowed, special_values

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

CASES = list(cases())
compiled_only = pytest.mark.skipif(fa.config()["backend"] != "compiled",
                                   reason="the reference backend has no np.ufuncs")
SHAPE, CHUNKS = (6, 10), (4, 3)        # uneven chunks, split along both axes


class Touched:
    """Counts the input blocks materialised: 0 until something computes."""
    lock = threading.Lock()
    blocks = 0

    @classmethod
    def touch(cls, block):
        with cls.lock:
            cls.blocks += 1
        return block


def counted(x, chunks=CHUNKS):
    """x as a dask array whose every block, when computed, is counted."""
    x = np.asarray(x)
    return da.from_array(x, chunks=chunks[-x.ndim:] if x.ndim else ()).map_blocks(
        Touched.touch, dtype=x.dtype, meta=np.empty((0,) * x.ndim, x.dtype))


@pytest.fixture(autouse=True)
def threaded_scheduler():
    Touched.blocks = 0
    with dask.config.set(scheduler="threads"):
        yield


def inputs(row, dtype):
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 3.0, size=SHAPE)
    if row.kind == "elementwise":
        x.flat[:20] = special_values(np.float64)[:20]
    with np.errstate(over="ignore"):
        return x.astype(dtype)


def check_lazy(result, expected):
    """result is a dask array built without computing anything, and computes
    to `expected` (same values, NaN where NaN, same dtype and shape)."""
    results = result if isinstance(result, tuple) else (result,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(results) == len(expected)
    for r in results:
        assert isinstance(r, da.Array), type(r)
    assert Touched.blocks == 0, "computed before .compute()"
    computed = dask.compute(*results)
    assert Touched.blocks > 0
    for got, want in zip(computed, expected):
        want = np.asarray(want)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def call_kwargs(row, params):
    """Axis functions: also along axis 0 (split across chunks too)."""
    if row.kind == "axis" and not params:
        return [{}, {"axis": 0}]
    return [params]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_function_is_lazy_and_equals_numpy(case, dtype):
    row, params = case
    f = fa.get(row.name)
    x = inputs(row, dtype)
    for kw in call_kwargs(row, params):
        Touched.blocks = 0
        check_lazy(f(counted(x), **kw), f(x, **kw))
        y = f(x, **kw)
        g = np.random.default_rng(4).normal(size=np.shape(y)).astype(dtype)
        Touched.blocks = 0
        check_lazy(f.backward(counted(g), counted(x), **kw), f.backward(g, x, **kw))
        if from_y_allowed(row, kw):
            Touched.blocks = 0
            check_lazy(f.backward(counted(g), y=counted(y), **kw), f.backward(g, y=y, **kw))
        if row.kind == "elementwise":
            Touched.blocks = 0
            check_lazy(f.derivative(counted(x), **kw), f.derivative(x, **kw))


@pytest.mark.parametrize("dtype", [np.float16, np.int32, np.bool_])
def test_other_dtypes_follow_the_numpy_rules(dtype):
    x = np.random.default_rng(3).normal(0.0, 3.0, size=SHAPE).astype(dtype)
    for f in (fa.sigmoid, fa.softmax, fa.glu):
        Touched.blocks = 0
        check_lazy(f(counted(x)), f(x))


def test_mixed_numpy_and_dask_operands_broadcast():
    x = inputs(fa.tanh.row, np.float64)
    g = np.linspace(-1, 1, SHAPE[-1])                  # NumPy, broadcast along rows
    check_lazy(fa.tanh.backward(g, counted(x)), fa.tanh.backward(g, x))
    Touched.blocks = 0
    check_lazy(fa.softmax.backward(g, counted(x), axis=-1), fa.softmax.backward(g, x, axis=-1))
    Touched.blocks = 0
    check_lazy(fa.sigmoid.backward(1.0, counted(x)), fa.sigmoid.backward(1.0, x))


@pytest.mark.parametrize("weight", [np.linspace(-0.5, 0.5, 10), np.array([[0.1], [0.2], [0.3],
                                    [-0.1], [-0.2], [-0.3]]), 0.3], ids=["row", "column", "scalar"])
@pytest.mark.parametrize("lazy_weight", [False, True], ids=["numpy-weight", "dask-weight"])
def test_prelu_weight_array_and_its_gradient(weight, lazy_weight):
    x = inputs(fa.prelu.row, np.float64)
    g = np.random.default_rng(5).normal(size=SHAPE)
    w = counted(weight) if lazy_weight else weight
    check_lazy(fa.prelu(counted(x), weight=w), fa.prelu(x, weight=weight))
    Touched.blocks = 0
    gx, gw = fa.prelu.backward(counted(g), counted(x), weight=w)
    want_gx, want_gw = fa.prelu.backward(g, x, weight=weight)
    check_lazy(gx, want_gx)
    assert isinstance(gw, da.Array) and gw.shape == np.shape(weight)
    # dask sums per chunk, then the chunk sums: a different order of additions
    np.testing.assert_allclose(gw.compute(), want_gw, rtol=1e-13, atol=1e-13)


@compiled_only
def test_the_raw_ufuncs_go_through_array_ufunc():
    x = inputs(fa.elu.row, np.float64)
    check_lazy(fa.elu.ufunc(counted(x), 0.5), fa.elu(x, alpha=0.5))
    Touched.blocks = 0
    check_lazy(fa.softmax.ufunc(counted(x, (4, 10))), fa.softmax(x))


def test_bad_calls_fail_at_once_not_at_compute():
    d = counted(inputs(fa.elu.row, np.float64))
    with pytest.raises(ValueError, match="fastact.elu: alpha must be finite"):
        fa.elu(d, alpha=float("nan"))
    with pytest.raises(TypeError, match="fastact.gelu.backward: y= is not supported"):
        fa.gelu.backward(d, y=d)
    with pytest.raises(ValueError, match="fastact.glu: the length of axis -1 must be even"):
        fa.glu(counted(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"fastact.glu.backward: grad has shape \(3, 5\)"):
        fa.glu.backward(counted(np.ones((3, 5))), d)
    with pytest.raises(np.exceptions.AxisError, match="fastact.softmax: axis 2"):
        fa.softmax(d, axis=2)
    with pytest.raises(TypeError, match="fastact.sigmoid: unsupported dtype complex128"):
        fa.sigmoid(d.astype(complex))
    with pytest.raises(TypeError, match="fastact.tanh: out= is not supported with dask"):
        fa.tanh(d, out=d)
    with pytest.raises(TypeError, match="fastact.tanh: out= is not supported with dask"):
        fa.tanh(np.ones(3), out=da.ones(3))
    assert Touched.blocks == 0


def test_threaded_scheduler_with_concurrent_multithreaded_calls():
    """Two dask threads call kernels large enough for fastact's pool at the
    same time: one runs on the pool, the other serially on its own thread
    (fastact/src/runtime/runtime.c); both give the single-call result."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(8, 200_000))
    d = da.from_array(x, chunks=(1, 200_000))
    with fa.num_threads(2), dask.config.set(scheduler="threads", num_workers=2):
        got = dask.compute(fa.silu(d, beta=1.5), fa.softmax(d), fa.tanh.backward(d, d))
    assert np.array_equal(got[0], fa.silu(x, beta=1.5))
    assert np.array_equal(got[1], fa.softmax(x))
    assert np.array_equal(got[2], fa.tanh.backward(x, x))


def test_activations_and_ufuncs_pickle_by_name():
    import pickle
    for f in (fa.gelu, fa.reference.gelu, fa.softmax):
        assert pickle.loads(pickle.dumps(f)) is f
    if fa.config()["backend"] == "compiled":
        assert pickle.loads(pickle.dumps(fa.gelu.ufunc)) is fa.gelu.ufunc


# ---- dask.distributed: 2 worker processes, 1 thread each -------------------

TIMEOUT = 120


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "60s"}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None)
        client = distributed.Client(cluster, timeout=TIMEOUT)
    yield client
    client.close(timeout=30)
    cluster.close(timeout=30)


def compute_on(client, results):
    import distributed
    futures = client.compute(results)
    distributed.wait(futures, timeout=TIMEOUT)
    return client.gather(futures)


def test_workers_honour_the_thread_limit_distributed_sets(client):
    """The nanny starts workers with OMP_NUM_THREADS=1 (distributed's
    nanny.pre-spawn-environ), which fastact reads at import: each worker's
    kernels then use one thread, beside the worker's own threads."""
    assert set(client.run(os.environ.get, "OMP_NUM_THREADS").values()) == {"1"}
    assert set(client.run(fa.get_num_threads).values()) == {1}
    assert len(client.run(fa.get_num_threads)) == 2


def test_every_function_on_a_cluster(client):
    chunks = (3, 5)      # few tasks: the scheduler's overhead per task dominates here
    lazy, expected = [], []
    for row, params in CASES:
        f = fa.get(row.name)
        x = inputs(row, np.float64)
        d = da.from_array(x, chunks=chunks)
        y = f(x, **params)
        g = np.random.default_rng(4).normal(size=np.shape(y))
        lazy += [f(d, **params), f.backward(da.from_array(g, chunks=chunks), d, **params)]
        expected += [f(x, **params), f.backward(g, x, **params)]
    x = inputs(fa.tanh.row, np.float64)
    d = da.from_array(x, chunks=chunks)
    lazy += [fa.tanh(d), fa.reference.mish(d)]        # the reference twin too
    expected += [fa.tanh(x), fa.reference.mish(x)]
    if fa.config()["backend"] == "compiled":
        lazy.append(fa.tanh.ufunc(d))                  # the raw ufunc: pickles by name
        expected.append(fa.tanh(x))
    flat_lazy = [r for item in lazy for r in (item if isinstance(item, tuple) else (item,))]
    flat_expected = [r for item in expected
                     for r in (item if isinstance(item, tuple) else (item,))]
    got = compute_on(client, flat_lazy)
    assert len(got) == len(flat_expected)
    for value, want in zip(got, flat_expected):
        np.testing.assert_allclose(value, want, rtol=1e-13, atol=0)   # prelu's weight sums
        assert value.dtype == np.asarray(want).dtype

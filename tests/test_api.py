"""Lookup, ufuncs, configuration, threads and the pure-Python modes."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastact as fa
from fastact import catalog


def test_names_are_the_catalog_in_order():
    assert fa.names() == [row.name for row in catalog.CATALOG]
    assert len(set(fa.names())) == len(fa.names())


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda r: r.name)
def test_get_by_name_alias_and_attribute(row):
    f = fa.get(row.name)
    assert f is getattr(fa, row.name)
    assert f.name == row.name
    assert fa.get(row.name.upper().replace("_", "-")) is f
    for alias in row.aliases:
        assert fa.get(alias) is f
        assert getattr(fa, alias) is f
        assert getattr(fa.reference, alias) is getattr(fa.reference, row.name)
    assert row.name in fa.__all__ and row.name in fa.reference.__all__


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda r: r.name)
def test_ufunc_attribute_is_a_genuine_ufunc(row):
    f = getattr(fa, row.name)
    u = f.ufunc
    assert isinstance(u, np.ufunc)
    x = np.linspace(-4, 4, 24).reshape(4, 6)
    params = row.param_sets()[0]
    want = f(x, **params)
    if row.kind == catalog.AXIS:
        assert u.signature is not None
        out = np.empty_like(want)        # glu's "(n)->(m)" needs out for m
        u(x, out=out)
        np.testing.assert_array_equal(out, want)
    else:
        # scalar parameters are extra inputs; array ones (prelu) come first
        _, args, _, full = f._resolve(params)
        operands = [x, *f._array_args(full), *args]
        np.testing.assert_array_equal(u(*operands), want)
        assert u.nin == len(operands)
        # the ufunc machinery works: out=
        out = np.zeros_like(x)
        u(*operands, out=out)
        np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda r: r.name)
def test_docstrings_come_from_the_catalog(row):
    f = getattr(fa, row.name)
    assert row.formula in f.__doc__
    for p in row.params:
        assert p.name in f.__doc__
    assert repr(f) == f"<fastact.{row.name}>"
    assert repr(getattr(fa.reference, row.name)) == f"<fastact.reference.{row.name}>"


def test_show_config(capsys):
    fa.show_config()
    text = capsys.readouterr().out
    assert fa.__version__ in text
    assert "compiled" in text
    assert "thread_pool" in text and "threads" in text
    assert "no OpenMP runtime" in text or "serial build" in text
    assert "baseline" in text
    assert fa.config()["threads"] == fa.get_num_threads()


def test_thread_controls():
    before = fa.get_num_threads()
    with fa.num_threads(1):
        assert fa.get_num_threads() == 1
        with fa.num_threads(3):
            assert fa.get_num_threads() == 3
        assert fa.get_num_threads() == 1
    assert fa.get_num_threads() == before
    with pytest.raises(ValueError, match="set_num_threads"):
        fa.set_num_threads(0)
    with pytest.raises(TypeError, match="set_num_threads"):
        fa.set_num_threads(1.5)
    assert fa.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with fa.num_threads(1):
            raise RuntimeError
    assert fa.get_num_threads() == before


def run_python(code, **env):
    full_env = dict(os.environ)
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, env=full_env, timeout=120)


def test_default_threads_follow_omp_num_threads():
    result = run_python("import fastact; print(fastact.get_num_threads())", OMP_NUM_THREADS="3")
    assert result.stdout.strip() == "3", result.stderr
    result = run_python("import fastact; print(fastact.get_num_threads() == "
                        "fastact._threads.available_cpus())", OMP_NUM_THREADS="")
    assert result.stdout.strip() == "True", result.stderr


def test_pure_python_mode_serves_the_reference():
    result = run_python("""
        import warnings; warnings.simplefilter("error")
        import numpy as np, fastact as fa
        assert fa.config()["backend"].startswith("reference"), fa.config()
        x = np.linspace(-3, 3, 7, dtype=np.float32)
        assert np.array_equal(fa.elu(x), fa.reference.elu(x))
        fa.show_config()
        """, FASTACT_PURE_PYTHON="1")
    assert result.returncode == 0, result.stderr
    assert "FASTACT_PURE_PYTHON" in result.stdout


def test_missing_compiled_module_warns_and_falls_back():
    result = run_python("""
        import sys, importlib.abc
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "fastact._ext":
                    raise ImportError("simulated: no compiled module")
        sys.meta_path.insert(0, Block())
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import fastact as fa
        assert any("could not be imported" in str(w.message) for w in caught), caught
        assert fa.sigmoid(0.0) == 0.5
        print(fa.config()["reason"])
        """, FASTACT_PURE_PYTHON="")
    assert result.returncode == 0, result.stderr
    assert "simulated" in result.stdout


def test_reference_imports_without_the_compiled_module():
    result = run_python("""
        import sys, importlib.abc
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "fastact._ext":
                    raise ImportError("blocked")
        sys.meta_path.insert(0, Block())
        import fastact.reference as ref
        print(ref.softplus(1000.0))
        """, FASTACT_PURE_PYTHON="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1000.0"


def test_cpu_variant_selection():
    usable = [name for name, ok in fa._compiled.variants() if ok]
    assert usable[0] == "baseline"
    assert fa._variant == (os.environ.get("FASTACT_CPU") or usable[-1])
    for variant in usable:
        result = run_python("import fastact as fa; print(fa._variant); fa.show_config()",
                            FASTACT_CPU=variant)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == variant
        assert f"{variant} (FASTACT_CPU)" in result.stdout
    result = run_python("import fastact as fa; print(fa._variant)", FASTACT_CPU="sse9")
    assert "FASTACT_CPU='sse9' is not one of" in result.stderr
    assert result.stdout.strip() == usable[-1]


def test_cpu_variants_agree_within_bounds():
    """The variants differ only in instruction set (and FMA in the math
    core): every one of them stays within the reference's bounds, which the
    full suite checks per variant in CI; here, a quick cross-check."""
    code = """
        import numpy as np, fastact as fa
        x = np.linspace(-30, 30, 4000)
        for name in fa.names():
            params = fa.get(name).row.param_sets()[0]
            np.save(f"{name}.npy", fa.get(name)(x, **params))
        """
    import tempfile
    outputs = {}
    for variant in [n for n, ok in fa._compiled.variants() if ok]:
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp,
                                    capture_output=True, text=True, timeout=120,
                                    env=dict(os.environ, FASTACT_CPU=variant,
                                             PYTHONPATH=os.path.dirname(
                                                 os.path.dirname(fa.__file__))))
            assert result.returncode == 0, result.stderr
            outputs[variant] = {n: np.load(os.path.join(tmp, n + ".npy")) for n in fa.names()}
    base = outputs.pop("baseline")
    for variant, values in outputs.items():
        for name in fa.names():
            np.testing.assert_allclose(values[name], base[name], rtol=1e-15, atol=0,
                                       err_msg=f"{name}: {variant} vs baseline")


def test_available_cpus_respects_affinity():
    cpus = fa._threads.available_cpus()
    assert 1 <= cpus <= len(os.sched_getaffinity(0))

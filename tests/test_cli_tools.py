"""python -m fastact plot / demo / accuracy arguments and missing packages, run
in-process through the CLI's main(argv)."""

import argparse
import math
import sys

import numpy as np
import pytest

from fastact import catalog
from fastact.__main__ import main
from fastact._cli import accuracy, demo, plot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000


# ---- plot ---------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["relu6"],
    ["swish", "--range", "-3", "3", "--dtype", "float32"],
    ["leaky_relu", "--param", "negative_slope=0.2", "--xmin", "-2"],
    ["gelu", "--param", "approximate=tanh"],
    ["prelu", "--param", "weight=0.1"],
    ["threshold", "--param", "threshold=0.5", "--param", "value=-1"],
    ["softmax"],
    ["glu"],
])
def test_plot_writes_a_png(argv, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "f.png"
    assert main(["plot", *argv, "-o", str(out)]) == 0
    assert_png(out)
    assert capsys.readouterr().out.strip() == str(out)


def test_plot_default_file_is_name_png_in_cwd(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    assert main(["plot", "hardswish"]) == 0          # an alias
    assert_png(tmp_path / "hardswish.png")
    assert capsys.readouterr().out.strip() == "hardswish.png"


@pytest.mark.parametrize("case", [(row, p) for row in catalog.CATALOG for p in row.param_sets()],
                         ids=lambda case: case[0].name + str(case[1] or ""))
def test_plotted_derivative_is_the_slope_of_the_plotted_function(case):
    """For every row: the right-hand curve is d/dx of the left-hand one
    (central differences between samples, away from kinks)."""
    row, params = case
    x, f, df, label = plot.curves(row.name, params, points=4001)
    assert label.startswith(row.name)
    low, high = plot.default_range(row, {**row.defaults, **params})
    assert x[0] == low and x[-1] == high and low <= -5 and high >= 5
    kinks = [k for k in row.hints("kinks", params) if math.isfinite(k)]
    step = x[1] - x[0]
    slope = (f[2:] - f[:-2]) / (2 * step)
    middle = x[1:-1]
    smooth = np.all([np.abs(middle - k) > 3 * step for k in kinks], axis=0) if kinks else \
        np.ones(middle.shape, bool)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(df))
    # mean value theorem: the secant slope is f' somewhere in (x - step, x + step),
    # within the range of f' at the three samples (up to a little curvature)
    around = np.stack([df[:-2], df[1:-1], df[2:]])
    tolerance = 1e-3 * np.maximum(1.0, np.abs(df[1:-1]))
    assert np.all((slope >= around.min(axis=0) - tolerance)[smooth])
    assert np.all((slope <= around.max(axis=0) + tolerance)[smooth])


def test_plot_of_softmax_is_component_zero_of_x_and_zero():
    x, f, df, _ = plot.curves("softmax", {}, -4, 4, points=9)
    np.testing.assert_allclose(f, 1 / (1 + np.exp(-x)))             # sigmoid(x)
    np.testing.assert_allclose(df, f * (1 - f))
    x, f, df, _ = plot.curves("glu", {}, -4, 4, points=9)
    np.testing.assert_allclose(f, x / (1 + np.exp(-x)))             # x * sigmoid(x)


@pytest.mark.parametrize("argv, message", [
    (["relu7"], "unknown activation 'relu7'; valid names: sigmoid"),
    (["relu", "--param", "max_value=-1"], "max_value (-1.0) must not be below threshold"),
    (["relu", "--param", "slope=0.2"], "unexpected keyword argument 'slope'"),
    (["elu", "--param", "alpha=nan"], "alpha must be finite"),
    (["softplus", "--param", "beta=0"], "beta must be > 0"),
    (["gelu", "--param", "approximate=cubic"], "approximate must be one of"),
    (["threshold"], "missing required keyword argument 'threshold'"),
    (["softmax", "--param", "axis=0"], "leave out --param axis"),
    (["relu", "--xmin", "2", "--xmax", "1"], "xmin < xmax"),
    (["relu", "--range", "-1", "1", "--xmax", "3"], "either --range or --xmin/--xmax"),
])
def test_plot_errors_name_the_problem(argv, message, tmp_path, capsys):
    out = tmp_path / "f.png"
    assert main(["plot", *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fastact plot: ") and message in err
    assert "Traceback" not in err and not out.exists()


def test_plot_malformed_param_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["plot", "relu", "--param", "negative_slope"])
    assert exit_.value.code == 2
    assert "expected K=V" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["plot", "relu"], ["demo", "--epochs", "1", "--plot"]])
def test_missing_matplotlib_names_the_extra(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib fails
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    command = "plot" if argv[0] == "plot" else "demo --plot"
    assert f'fastact: {command} needs matplotlib: pip install "fastact[plot]"' in captured.err
    assert "Traceback" not in captured.err and list(tmp_path.iterdir()) == []
    assert "train acc" not in captured.out          # demo stops before training


@pytest.mark.parametrize("argv, module, install", [
    (["accuracy", "sigmoid"], "mpmath", "pip install mpmath"),
    (["bench", "--competitors", "torch", "--functions", "relu", "--sizes", "1e3"], "torch",
     "pip install torch"),
    (["bench", "--competitors", "scipy", "--functions", "relu", "--sizes", "1e3"], "scipy",
     "pip install scipy"),
])
def test_missing_package_message_and_exit_code_are_the_same_everywhere(argv, module, install,
                                                                        monkeypatch, capsys):
    """accuracy, bench, plot and demo --plot (above) say the same thing and
    exit with 2 when the optional package they need is missing."""
    monkeypatch.setitem(sys.modules, module, None)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"fastact: {argv[0]} needs {module}: {install}" in err and "Traceback" not in err


def test_accuracy_takes_names_positionally_and_through_functions():
    parser = argparse.ArgumentParser()
    accuracy.add_arguments(parser)
    args = parser.parse_args(["sigmoid", "gelu", "--functions", "tanh", "--points", "9"])
    assert args.names == ["sigmoid", "gelu"] and args.functions == ["tanh"]


def test_accuracy_unknown_name_is_a_usage_error(capsys):
    assert main(["accuracy", "sigmoid", "no_such_function"]) == 2
    err = capsys.readouterr().err
    assert "no activation named 'no_such_function'" in err and "Traceback" not in err


# ---- demo ---------------------------------------------------------------------

TINY = ["demo", "--epochs", "2", "--points", "120", "--width", "8", "--depth", "2", "--quiet"]


def run_demo(argv, capsys):
    assert main(argv) == 0
    return capsys.readouterr()


def first_epoch_norms(out):
    """{activation: [|dL/dW| per layer]} from the epoch-1 table."""
    table = out.split("epoch 1:\n", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return {line.split()[0]: [float(v) for v in line.split()[1:]] for line in table}


def test_demo_prints_accuracy_per_activation(capsys):
    out = run_demo(TINY + ["--activations", "relu,swish,elu"], capsys).out
    rows = [line.split() for line in out.splitlines()
            if line.split()[:1] in (["relu"], ["swish"], ["elu"]) and "%" in line]
    assert [r[0] for r in rows] == ["relu", "swish", "elu"]
    for r in rows:
        train, test = (float(v.rstrip("%")) for v in r[1:3])
        assert 0 <= train <= 100 and 0 <= test <= 100 and float(r[3]) > 0
    norms = first_epoch_norms(out)
    assert set(norms) == {"relu", "swish", "elu"}
    assert all(len(v) == 3 and all(n > 0 for n in v) for v in norms.values())


def test_demo_shows_the_vanishing_gradient_of_deep_sigmoid_networks(capsys):
    out = run_demo(["demo", "--epochs", "1", "--points", "200", "--width", "16", "--depth", "6",
                    "--activations", "sigmoid,relu", "--quiet"], capsys).out
    norms = first_epoch_norms(out)
    assert len(norms["sigmoid"]) == 7
    # sigmoid' <= 1/4 shrinks the gradient at every layer on the way to the input
    assert norms["sigmoid"][0] < norms["relu"][0] / 10
    assert norms["sigmoid"][0] < norms["sigmoid"][-1] / 100


def test_demo_is_deterministic_and_reports_progress(capsys):
    argv = TINY[:-1] + ["--activations", "tanh"]
    first = run_demo(argv, capsys)
    second = run_demo(argv, capsys)

    def without_times(out):       # the ms/epoch column is the 4th of the result line
        return [[v for i, v in enumerate(line.split()) if not ("%" in line and i == 3)]
                for line in out.splitlines()]
    assert without_times(first.out) == without_times(second.out)
    assert sum(line.startswith("tanh ") for line in first.out.splitlines()) == 3
    assert "tanh: epoch 2/2, loss" in first.err


def test_demo_trains_the_spirals():
    """The default network learns the spirals with relu (a few epochs)."""
    class Args:
        epochs, batch, optimizer, lr, seed = 15, 32, "adam", None, 0
    rng = np.random.default_rng(0)
    data = demo.spirals(400, rng), demo.spirals(200, rng)
    model = demo.build("relu", 4, 32, 0, np.float64)
    before = demo.accuracy(model, *data[1])
    history = demo.train(model, data, Args, lambda epoch, loss: None)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert demo.accuracy(model, *data[1]) > max(0.8, before)


def test_spirals_are_two_balanced_interleaved_classes():
    points, labels = demo.spirals(1000, np.random.default_rng(1))
    assert points.shape == (1000, 2) and np.bincount(labels).tolist() == [500, 500]
    # class 1 is class 0 turned by pi: their centres of mass mirror each other
    centre0, centre1 = points[labels == 0].mean(axis=0), points[labels == 1].mean(axis=0)
    np.testing.assert_allclose(centre0, -centre1, atol=0.15)


@pytest.mark.parametrize("argv, message", [
    (["--activations", "relu,nope"], "unknown activation 'nope'"),
    (["--activations", "softmax"], "not elementwise"),
    (["--depth", "0"], "--depth must be at least 1"),
])
def test_demo_errors(argv, message, capsys):
    assert main(["demo", *argv]) == 2
    assert message in capsys.readouterr().err


def test_demo_plot_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "demo.png"
    run_demo(TINY + ["--activations", "relu,tanh", "--plot", str(out)], capsys)
    assert_png(out)

"""python -m fastact plot NAME: f and f' side by side, saved as a PNG.

Axis-wise functions are plotted on a row of two: softmax, log_softmax and
softmin as component 0 of f([x, 0]) (softmax([x, 0])[0] is sigmoid(x)) with
its derivative d/dx; glu as glu([x, x]) = x * sigmoid(x) with the total
derivative d/dx.  matplotlib (the "plot" extra) draws on the Agg canvas: no
screen needed.
"""

import argparse
import ast
import math
import sys

import numpy as np

import fastact
from fastact import catalog, nn
from fastact._cli import optional

INSTALL_HINT = '"fastact[plot]" (from a source checkout: pip install ".[plot]")'


def matplotlib_missing(command):
    """True (after saying what to install) when matplotlib is not installed."""
    return optional.missing(command, "matplotlib", INSTALL_HINT)


def _param(text):
    """K=V from the command line; V is a Python literal (2, -0.5, None,
    'tanh', [0.1, 0.2]), nan/inf, or else a string (approximate=tanh)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected K=V (e.g. negative_slope=0.2), got {text!r}")
    value = value.strip()
    try:
        return key.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass
    try:
        return key.strip(), float(value)        # nan, inf, -inf
    except ValueError:
        return key.strip(), value


def add_arguments(parser):
    parser.add_argument("name", help="activation name or alias (python -c "
                                     "'import fastact; print(fastact.names())')")
    parser.add_argument("-o", "--output", metavar="FILE.png",
                        help="where to save (default: NAME.png in the current directory)")
    parser.add_argument("--param", action="append", default=[], type=_param, metavar="K=V",
                        help="a parameter of the function, repeatable: --param negative_slope=0.2")
    parser.add_argument("--xmin", type=float, help="left end of the x range")
    parser.add_argument("--xmax", type=float, help="right end of the x range")
    parser.add_argument("--range", nargs=2, type=float, metavar=("XMIN", "XMAX"),
                        help="the x range (default: -5 5, wider when the function has "
                             "kinks further out)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64",
                        help="dtype the function is computed in (default: float64)")
    parser.add_argument("--points", type=int, default=2001, help="samples (default: 2001)")


def default_range(row, params):
    """-5..5, widened to 1.5 times the farthest finite kink."""
    kinks = [abs(k) for k in row.hints("kinks", params) if math.isfinite(k)]
    half = max([5.0] + [1.5 * k for k in kinks])
    return -half, half


def curves(name, params, xmin=None, xmax=None, dtype=np.float64, points=2001):
    """(x, f(x), f'(x), label) for plotting; ValueError/TypeError naming
    the problem for bad names, parameters or ranges."""
    row = nn._row(name)
    fn = fastact.get(row.name)
    if row.kind == catalog.AXIS and "axis" in params:
        raise ValueError(f"fastact.{row.name}: the plot sets axis itself (it applies "
                         f"{row.name} along rows of two); leave out --param axis")
    full = fn._resolve(params)[3]          # checks the parameters before any work
    low, high = default_range(row, full)
    low = low if xmin is None else xmin
    high = high if xmax is None else xmax
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"the x range must be finite with xmin < xmax, got {low} .. {high}")
    if points < 2:
        raise ValueError(f"--points must be at least 2, got {points}")
    x = np.linspace(low, high, points).astype(dtype)
    if row.kind == catalog.ELEMENTWISE:
        return x, fn(x, **params), fn.derivative(x, **params), f"{row.name}(x)"
    if row.halves:                    # glu([x, x]) = x * sigmoid(x), total derivative
        pair = np.stack([x, x], axis=1)
        y = fn(pair, axis=-1, **params)[:, 0]
        grad = fn.backward(np.ones((points, 1), dtype), pair, axis=-1, **params)
        return x, y, grad.sum(axis=1), f"{row.name}([x, x])"
    pair = np.stack([x, np.zeros_like(x)], axis=1)      # softmax([x, 0])[0] = sigmoid(x)
    seed = np.zeros_like(pair)
    seed[:, 0] = 1                                      # d f[0] / d x[0]
    return (x, fn(pair, axis=-1, **params)[:, 0],
            fn.backward(seed, pair, axis=-1, **params)[:, 0], f"{row.name}([x, 0])[0]")


def _new_figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)         # Agg: renders to files, no display needed
    return figure


def draw(path, x, f, df, label, title):
    figure = _new_figure(10, 4)
    left, right = figure.subplots(1, 2)
    for axes, values, what in ((left, f, label), (right, df, f"d/dx {label}")):
        axes.axhline(0, color="0.7", lw=0.8)
        axes.axvline(0, color="0.7", lw=0.8)
        axes.plot(x, values, lw=2)
        axes.set_title(what)
        axes.set_xlabel("x")
        axes.grid(True, alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def run(args):
    params = dict(args.param)
    xmin, xmax = args.xmin, args.xmax
    if args.range is not None:
        if xmin is not None or xmax is not None:
            print("fastact plot: give either --range or --xmin/--xmax", file=sys.stderr)
            return 2
        xmin, xmax = args.range
    try:
        x, f, df, label = curves(args.name, params, xmin, xmax, np.dtype(args.dtype),
                                 args.points)
    except (ValueError, TypeError) as error:
        print(f"fastact plot: {error}", file=sys.stderr)
        return 2
    if matplotlib_missing("plot"):
        return optional.MISSING_PACKAGE
    name = nn._row(args.name).name
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    title = f"fastact.{name}" + (f" ({shown})" if shown else "") + f", {args.dtype}"
    path = args.output or f"{args.name}.png"
    try:
        draw(path, x, f, df, label, title)
    except OSError as error:
        print(f"fastact plot: cannot write {path}: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


def save_demo_figure(results, path):
    """Training loss per epoch, and |dL/dW| per layer in the first and last
    epoch, one colour per activation."""
    figure = _new_figure(12, 4.5)
    loss_axes, norm_axes = figure.subplots(1, 2)
    for index, (name, history) in enumerate(results.items()):
        colour = f"C{index % 10}"
        epochs = np.arange(1, len(history["loss"]) + 1)
        loss_axes.plot(epochs, history["loss"], color=colour, label=name)
        norms = np.array(history["grad_norms"])
        layers = np.arange(1, norms.shape[1] + 1)
        norm_axes.plot(layers, norms[0], "o-", color=colour, label=f"{name}, epoch 1")
        norm_axes.plot(layers, norms[-1], "s--", color=colour, alpha=0.6,
                       label=f"{name}, epoch {len(norms)}")
    loss_axes.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log",
                  title="training loss")
    norm_axes.set(xlabel="Dense layer (1 = next to the input)", ylabel="|dL/dW|",
                  yscale="log", title="gradient norm per layer")
    norm_axes.set_xticks(layers)
    loss_axes.legend()
    norm_axes.legend(fontsize="small", ncol=2)
    for axes in (loss_axes, norm_axes):
        axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)

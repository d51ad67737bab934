"""python -m fastact demo: one small network per activation, on two spirals.

Every network has the same shape (2 inputs, ``depth`` hidden layers of
``width`` units, 2 outputs with softmax cross-entropy), the same initial
weights (drawn from ``seed``) and sees the same mini-batches; only the
activation differs.  The report gives accuracy, time per epoch and the norm
of dL/dW of every Dense layer, averaged over the batches of the first and
the last epoch: with sigmoid the layers far from the output get gradients
orders of magnitude smaller than with relu (the vanishing gradient).
"""

import sys
import time

import numpy as np

import fastact
from fastact import nn
from fastact._cli import optional

DEFAULT_ACTIVATIONS = "sigmoid,tanh,relu,gelu,silu"


def add_arguments(parser):
    parser.add_argument("--activations", default=DEFAULT_ACTIVATIONS,
                        help=f"comma-separated names or aliases (default: {DEFAULT_ACTIVATIONS})")
    parser.add_argument("--depth", type=int, default=6, help="hidden layers (default: 6)")
    parser.add_argument("--width", type=int, default=32,
                        help="units per hidden layer (default: 32)")
    parser.add_argument("--epochs", type=int, default=40, help="passes over the data (default: 40)")
    parser.add_argument("--points", type=int, default=1000,
                        help="training points; half as many test points (default: 1000)")
    parser.add_argument("--batch", type=int, default=32, help="mini-batch size (default: 32)")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                        help="adam (default) or sgd (with momentum 0.9)")
    parser.add_argument("--lr", type=float, help="learning rate (default: 0.003 adam, 0.05 sgd)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--seed", type=int, default=0,
                        help="data, weights and batch order (default: 0)")
    parser.add_argument("--plot", nargs="?", const="demo.png", metavar="FILE.png",
                        help="also save training curves and gradient norms (default file: "
                             "demo.png; needs matplotlib)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def spirals(n, rng, turns=1.5, noise=0.05):
    """n points on two interleaved spirals, labels 0/1 (class k is turned by k*pi)."""
    labels = np.arange(n) % 2
    t = turns * 2 * np.pi * np.sqrt(rng.uniform(0.02, 1, n))   # even density along the arm
    radius = t / (turns * 2 * np.pi)
    angle = t + np.pi * labels
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points += noise * rng.standard_normal(points.shape)
    return points * 2, labels     # roughly unit variance per coordinate


def build(activation, depth, width, seed, dtype):
    """Dense, activation, ..., Dense; weights depend on the seed only."""
    rng = np.random.default_rng(seed)
    layers, n_in = [], 2
    probe = nn.get(activation)
    for _ in range(depth):
        layers.append(nn.Dense(n_in, width, rng=rng, dtype=dtype))
        # in place where backward can work from the output (halves the memory)
        layers.append(nn.get(activation, inplace=probe.saves == "y"))
        n_in = width
    layers.append(nn.Dense(n_in, 2, rng=rng, dtype=dtype))
    return nn.Sequential(*layers)


def accuracy(model, x, labels):
    return float(np.mean(np.argmax(model.forward(x), axis=1) == labels))


def train(model, data, args, progress):
    """Trains in place; returns the history (loss, grad norms per epoch, time)."""
    (x, labels), _ = data
    dense = [layer for layer in model.layers if isinstance(layer, nn.Dense)]
    lr = args.lr if args.lr is not None else (0.003 if args.optimizer == "adam" else 0.05)
    optimizer = (nn.Adam(model.params(), lr=lr) if args.optimizer == "adam"
                 else nn.SGD(model.params(), lr=lr))
    order_rng = np.random.default_rng(args.seed + 1)     # same batches for every activation
    history = {"loss": [], "grad_norms": [], "seconds": 0.0}
    for epoch in range(args.epochs):
        start = time.perf_counter()
        order = order_rng.permutation(len(labels))
        losses, norms = [], np.zeros(len(dense))
        batches = range(0, len(labels), args.batch)
        for first in batches:
            batch = order[first:first + args.batch]
            model.zero_grad()
            loss, grad = nn.softmax_cross_entropy(model.forward(x[batch]), labels[batch])
            model.backward(grad)
            norms += [np.linalg.norm(layer.grad_weight) for layer in dense]
            optimizer.step()
            losses.append(loss)
        history["seconds"] += time.perf_counter() - start
        history["loss"].append(float(np.mean(losses)))
        history["grad_norms"].append(norms / len(batches))
        progress(epoch + 1, history["loss"][-1])
    return history


def _progress(name, epochs, quiet):
    every = max(1, epochs // 5)

    def report(epoch, loss):
        if not quiet and (epoch % every == 0 or epoch == epochs):
            print(f"  {name}: epoch {epoch}/{epochs}, loss {loss:.4f}", file=sys.stderr,
                  flush=True)
    return report


def _norm_table(title, results, epoch):
    n_layers = len(next(iter(results.values()))["grad_norms"][epoch])
    header = f"{'activation':<14}" + "".join(f"{'layer ' + str(i + 1):>10}"
                                              for i in range(n_layers))
    lines = [title, header]
    for name, h in results.items():
        lines.append(f"{name:<14}" + "".join(f"{v:>10.2e}" for v in h["grad_norms"][epoch]))
    return "\n".join(lines)


def run(args):
    names = [n.strip() for n in args.activations.split(",") if n.strip()]
    for value, what in ((args.depth, "--depth"), (args.width, "--width"),
                        (args.epochs, "--epochs"), (args.batch, "--batch")):
        if value < 1:
            print(f"fastact demo: {what} must be at least 1, got {value}", file=sys.stderr)
            return 2
    if args.points < 4:
        print(f"fastact demo: --points must be at least 4, got {args.points}", file=sys.stderr)
        return 2
    try:
        for name in names:
            layer = nn.get(name)
            if layer.row.kind != fastact.catalog.ELEMENTWISE:
                raise ValueError(f"{layer.name} is not elementwise (it mixes the units "
                                 "of a layer); the demo takes elementwise activations")
    except (ValueError, TypeError) as error:
        print(f"fastact demo: {error}", file=sys.stderr)
        return 2
    if not names:
        print("fastact demo: --activations is empty", file=sys.stderr)
        return 2
    if args.plot:
        from fastact._cli import plot
        if plot.matplotlib_missing("demo --plot"):
            return optional.MISSING_PACKAGE
    rng = np.random.default_rng(args.seed)
    data = spirals(args.points, rng), spirals(max(2, args.points // 2), rng)
    dtype = np.dtype(args.dtype)
    data = tuple((x.astype(dtype), labels) for x, labels in data)
    lr = args.lr if args.lr is not None else (0.003 if args.optimizer == "adam" else 0.05)
    print(f"fastact demo: two spirals, {args.points} training / {len(data[1][1])} test points; "
          f"{args.depth} hidden layers of {args.width} units, {args.dtype}; {args.optimizer} "
          f"lr={lr:g}, batch {args.batch}, {args.epochs} epochs, seed {args.seed}")
    print()
    print(f"{'activation':<14}{'train acc':>10}{'test acc':>10}{'ms/epoch':>10}"
          f"{'loss first':>12}{'loss last':>11}")
    results = {}
    for name in names:
        model = build(name, args.depth, args.width, args.seed, dtype)
        history = train(model, data, args, _progress(name, args.epochs, args.quiet))
        history["train"] = accuracy(model, *data[0])
        history["test"] = accuracy(model, *data[1])
        results[name] = history
        print(f"{name:<14}{history['train']:>10.1%}{history['test']:>10.1%}"
              f"{1000 * history['seconds'] / args.epochs:>10.1f}"
              f"{history['loss'][0]:>12.4f}{history['loss'][-1]:>11.4f}", flush=True)
    print()
    print(_norm_table("|dL/dW| per Dense layer (layer 1 = next to the input), mean over "
                      "the batches of epoch 1:", results, 0))
    print()
    print(_norm_table(f"... and of epoch {args.epochs}:", results, -1))
    if args.plot:
        from fastact._cli import plot
        try:
            plot.save_demo_figure(results, args.plot)
        except OSError as error:
            print(f"fastact demo: cannot write {args.plot}: {error}", file=sys.stderr)
            return 1
        print(f"\nsaved {args.plot}")
    return 0

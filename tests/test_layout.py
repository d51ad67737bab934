"""The package's layout (issue 16): fastact/ itself holds at most 10
modules, the rest sits in subpackages named by role, and the imports among
fastact's modules form no cycle, function-level imports included."""

import ast
import importlib.machinery
import os
import re

import fastact

PACKAGE = os.path.dirname(os.path.abspath(fastact.__file__))
MAX_TOP_MODULES = 10


def top_modules(package_dir):
    return sorted(name for name in os.listdir(package_dir)
                  if name.endswith((".py", ".pyx")))


def module_files(package_dir):
    """{dotted module name: path} of every module under `package_dir`: .py
    files (a package is its __init__.py), Cython sources and compiled
    extension modules."""
    root = os.path.basename(package_dir)
    suffixes = (".py", ".pyx", *importlib.machinery.EXTENSION_SUFFIXES)
    modules = {}
    for folder, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        parts = [root] + os.path.relpath(folder, package_dir).split(os.sep)
        parts = [p for p in parts if p != "."]
        for name in sorted(files):
            suffix = next((s for s in suffixes if name.endswith(s)), None)
            if suffix is None:
                continue
            stem = name[:-len(suffix)]
            dotted = ".".join(parts if stem == "__init__" else parts + [stem])
            if dotted not in modules or suffix == ".py":
                modules[dotted] = os.path.join(folder, name)
    return modules


def pyx_imports_fastact(path):
    """Does the Cython source at `path` import a fastact module?  (ast cannot
    read Cython; its import lines are plain enough for a pattern.)"""
    with open(path, encoding="utf-8") as f:
        return any(re.match(r"\s*(from\s+(\.|fastact\b)|c?import\s+fastact\b)", line)
                   for line in f)


def import_graph(package_dir):
    """{module: {modules it imports}} among the modules of `package_dir`,
    counting every import statement at any depth (inside functions, try,
    if).  ``from pkg import name`` is an edge to ``pkg.name`` when that is a
    module, else to ``pkg``; an edge to a package is one to its __init__."""
    modules = module_files(package_dir)
    graph = {}
    for dotted, path in modules.items():
        if not path.endswith(".py"):
            # a compiled module, or its Cython source: a leaf
            assert not path.endswith(".pyx") or not pyx_imports_fastact(path), path
            graph[dotted] = set()
            continue
        is_package = path.endswith("__init__.py")
        package = dotted if is_package else dotted.rpartition(".")[0]
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    base = ".".join(base + ([node.module] if node.module else []))
                else:
                    base = node.module
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules
                           else base for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:     # import a.b.c -> a.b.c or a.b
                    target = target.rpartition(".")[0]
                if target and target != dotted:
                    edges.add(target)
        graph[dotted] = edges
    return graph


def find_cycle(graph):
    """A list of modules [a, b, ..., a] forming a cycle, or None."""
    state = {}            # 1: on the current path, 2: done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_at_most_ten_top_level_modules():
    modules = top_modules(PACKAGE)
    assert len(modules) <= MAX_TOP_MODULES, (
        f"fastact/ holds {len(modules)} modules (at most {MAX_TOP_MODULES}): {modules}")


def test_no_import_cycle():
    cycle = find_cycle(import_graph(PACKAGE))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_check_sees_a_function_level_cycle(tmp_path):
    """The two checks above on a made-up package: a relative import inside
    a function closing a cycle through a subpackage is found."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import a\n")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n")
    graph = import_graph(str(pkg))
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.sub.b"}, "pkg.sub": set(),
                     "pkg.sub.b": {"pkg.a"}}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.a"]
    (pkg / "sub" / "b.py").write_text("def f():\n    import pkg\n")
    assert find_cycle(import_graph(str(pkg))) == ["pkg", "pkg.a", "pkg.sub.b", "pkg"]
    assert top_modules(str(pkg)) == ["__init__.py", "a.py"]

"""List the static and inline C functions of fastact/src that nothing uses.

    python tools/check_unused_c.py        # exit status 1 if there is one

A function defined in fastact/src (`static`, `static inline` or
`FA_INLINE`, and the element formulas `F(name)` of formulas*.h) is used when
its name occurs outside its own definition: in another function of
fastact/src, in the templates kernels.c.tp and variant_table.h.tp, or in
what fastact/_build/codegen.py renders into them (the element calls of the
catalog's ufuncs and the variant table's choices, fastact/_build/variants.py).  A
function used only by unused functions is unused too.  Comments do not
count.  tests/test_c_sources.py runs this.

Not seen: functions that a macro defines (the array kernels of
fastact/src/vmath/fa_fast*.h, FA_ARRAY_V16_F32 and the like, named by the
variant table; tests/test_variant_table.py checks those names) and functions
of the rendered files themselves.
"""

import importlib.util
import os
import re
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "fastact", "src")
# formulas*.h: F(name) is the element formula of one dtype or both.
FORMULA_DTYPES = {"formulas_f32.h": ("f32",), "formulas_f64.h": ("f64",),
                  "formulas.h": ("f32", "f64")}

DEFINITION = re.compile(
    r"^(?:FA_INLINE|static)\b[^;{}()=#]*?(?:\bF\((?P<formula>\w+)\)|\b(?P<name>\w+))\s*\(",
    re.M)


def strip_comments(text):
    """C text without comments (newlines kept, string literals left alone)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.S)


def matching(text, start, open_, close):
    """Index just past the bracket matching the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError("unbalanced")


def sources():
    """{path relative to fastact/src: text without comments}."""
    found = {}
    for folder, _, files in os.walk(SRC):
        for name in files:
            if name.endswith((".h", ".c", ".tp")):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, SRC)
                if name.endswith(".c") and os.path.exists(path + ".tp") \
                        or name.endswith(".h") and os.path.exists(path + ".tp"):
                    continue          # rendered from a template: not a source
                with open(path) as f:
                    found[rel] = strip_comments(f.read())
    return found


def formula_prefix(texts):
    """fa_act_ in `#define F(name) fa_act_##name##_f32` (activations.h)."""
    for text in texts.values():
        m = re.search(r"#define\s+F\(name\)\s+(\w*?)##name##_f32", text)
        if m:
            return m.group(1)
    raise SystemExit("check_unused_c: no `#define F(name) ...##name##_f32` in fastact/src")


def definitions(texts):
    """[(label, names it defines, file, start, end)] of each function body."""
    prefix = formula_prefix(texts)
    found = []
    for rel, text in texts.items():
        for m in DEFINITION.finditer(text):
            if "{{" in m.group(0):
                continue
            paren = m.end() - 1
            after = matching(text, paren, "(", ")")
            rest = text[after:].lstrip()
            if not rest.startswith("{"):
                continue              # a declaration, or an array/variable
            body_start = after + (len(text) - after - len(rest))
            end = matching(text, body_start, "{", "}")
            if m.group("formula"):
                base = m.group("formula")
                dtypes = FORMULA_DTYPES.get(os.path.basename(rel), ("f32", "f64"))
                names = [f"{prefix}{base}_{d}" for d in dtypes]
                label = f"F({base})"
            else:
                names = [m.group("name")]
                label = m.group("name")
            found.append((label, names, rel, m.start(), end))
    return found


def rendered_references():
    """What fastact/_build/codegen.py writes into the templates: the element
    calls of every ufunc and the bodies of the variant table."""
    fastact = os.path.join(ROOT, "fastact")
    paths = [fastact, os.path.join(fastact, "_build")]
    sys.path[:0] = paths
    try:
        spec = importlib.util.spec_from_file_location(
            "fastact_codegen_check", os.path.join(fastact, "_build", "codegen.py"))
        codegen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(codegen)
    finally:
        del sys.path[:len(paths)]
    parts = []
    for s in codegen.ufunc_specs():
        for sfx in ("f32", "f64"):
            if s.axis:
                parts.append(s.row_call(sfx))
            else:
                parts.append(s.c_expr(sfx))
                parts += [call for _, _, call in s.array_kernels(sfx)]
    for c in codegen.chosen_functions():
        parts += [body for _, body in c.bodies]
    return "\n".join(parts)


def expand(text, rel, prefix):
    """The names a piece of source uses: F(name) in formulas*.h names the
    formula of the file's dtype(s); {{sfx}} in a template both dtypes."""
    dtypes = FORMULA_DTYPES.get(os.path.basename(rel), ("f32", "f64"))
    text = re.sub(r"\bF\((\w+)\)",
                  lambda m: " ".join(f"{prefix}{m.group(1)}_{d}" for d in dtypes), text)
    if rel.endswith(".tp"):
        text = text.replace("{{sfx}}", "f32") + text.replace("{{sfx}}", "f64")
    return text


def identifiers(text):
    return re.findall(r"\b[A-Za-z_]\w*\b", text)


def unused(texts=None, rendered=None):
    """[(file, function)] of the unused functions of `texts` ({path relative
    to fastact/src: text without comments}; default: fastact/src)."""
    texts = sources() if texts is None else texts
    rendered = rendered_references() if rendered is None else rendered
    prefix = formula_prefix(texts)
    defs = definitions(texts)
    # every name used outside comments, and those inside each definition
    total = Counter(identifiers(rendered))
    for rel, text in texts.items():
        total.update(identifiers(expand(text, rel, prefix)))
    inside = {label: Counter(identifiers(expand(texts[rel][start:end], rel, prefix)))
              for label, _, rel, start, end in defs}
    dead = set()
    while True:
        uses = total.copy()
        for label in dead:
            uses.subtract(inside[label])
        newly = {label for label, names, *_ in defs if label not in dead
                 and sum(uses[n] - inside[label][n] for n in names) <= 0}
        if not newly:
            break
        dead |= newly
    return sorted((rel, label) for label, _, rel, _, _ in defs if label in dead)


def main():
    found = unused()
    for rel, label in found:
        print(f"fastact/src/{rel}: {label} is never used")
    if found:
        print(f"{len(found)} unused static/inline C function(s) in fastact/src")
        return 1
    print("check_unused_c: every static/inline function of fastact/src is used")
    return 0


if __name__ == "__main__":
    sys.exit(main())

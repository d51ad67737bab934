"""python -m fastact bench's method (fastact/_cli/bench.py): each competitor in
its own worker process, PyTorch never imported into fastact's, the ratio
against PyTorch's faster thread count, --per-core on 1 thread each.  No
timing is asserted: the cases are tiny (n = 1e3, 1 round)."""

import pytest

import fastact
from fastact._cli import bench

CASE = bench.Case("relu", "forward", "float32", 1000)


def test_workers_time_a_tiny_case_with_fastact_and_numpy():
    states = {}
    specs = bench.plan(["numpy"])
    assert [s.label for s in specs] == ["fastact", "numpy"]
    (result,) = bench.measure([CASE], specs, alternations=2, rounds=1, states=states)
    assert result.case == CASE and not result.problems
    assert list(result.times)[0] == "fastact" and set(result.times) == {"fastact", "numpy"}
    assert all(t > 0 for t in result.times.values())
    assert "out=out" in result.codes["fastact"]            # fastact writes into out=
    assert result.ratio("numpy") == result.times["numpy"] / result.times["fastact"]
    assert states["fastact"]["pid"] != states["numpy"]["pid"]
    assert states["fastact"]["fastact"] == fastact.__file__     # this fastact, not another
    assert not states["fastact"]["torch_imported"]


def test_torch_workers_per_core_and_fastact_never_imports_torch():
    pytest.importorskip("torch")
    states = {}
    specs = bench.plan(["torch"], per_core=True)
    assert [(s.label, s.threads) for s in specs] == [("fastact", 1), ("torch-1t", 1)]
    (result,) = bench.measure([CASE, ], specs, alternations=1, rounds=1, states=states)
    assert set(result.times) == {"fastact", "torch-1t"} and not result.problems
    assert "aten.relu.out(x, out=o)" == result.codes["torch-1t"]
    assert states["fastact"]["threads"] == 1 and states["torch-1t"]["threads"] == 1
    assert states["torch-1t"]["torch_imported"]
    assert not states["fastact"]["torch_imported"]        # checked after timing too


def test_plan_runs_torch_at_one_and_two_threads_and_fastact_at_its_default():
    specs = bench.plan(["torch", "numpy"])
    assert [(s.label, s.family, s.threads) for s in specs] == [
        ("fastact", "fastact", None), ("torch-1t", "torch", 1), ("torch-2t", "torch", 2),
        ("numpy", "numpy", None)]
    assert bench.plan(["torch"], threads=3)[0].threads == 3
    assert bench.plan(["torch"], per_core=True, threads=3)[0].threads == 1


@pytest.mark.parametrize("one, two", [(3.0, 2.0), (2.0, 3.0)])
def test_ratio_uses_the_faster_torch_thread_count(one, two):
    result = bench.Result(CASE, {"fastact": 1.0, "torch-1t": one, "torch-2t": two,
                                  "numpy": 5.0, "numpy-minmax": 4.0}, {}, [])
    assert result.ratio("torch") == 2.0
    assert result.ratio("numpy") == 4.0                   # the fastest NumPy recipe
    assert result.ratio("scipy") is None
    table = bench.format_table([result])
    assert "torch-1t µs" in table and "torch-2t µs" in table and "xtorch" in table
    summary = bench.format_summary([result])
    assert "torch: fastact slower in 0 of 1 rows; geometric mean 2.00x" in summary


def test_rows_below_one_are_starred_and_counted():
    result = bench.Result(CASE, {"fastact": 2.0, "torch-1t": 1.0}, {}, [])
    assert "0.50*" in bench.format_table([result])
    assert "fastact slower in 1 of 1 rows" in bench.format_summary([result])
    per_core = bench.format_table([result], per_core=True)
    assert "fastact ns/el" in per_core and "2000000.000" in per_core   # 2 s / 1000


def test_default_competitors_without_torch(monkeypatch):
    monkeypatch.setattr(bench, "library_available", lambda label: label != "torch")
    families, messages = bench.choose_families(None)
    assert families == ["numpy", "scipy"] and "PyTorch is not installed" in messages[0]
    families, messages = bench.choose_families(["numpy,torch"])
    assert families == ["numpy"] and "torch is not installed" in messages[0]


def test_default_cases_include_gelu_tanh():
    keys = {c.key for c in bench.cases(functions=["gelu"], sizes=(1000,))}
    assert keys == {"gelu", "gelu[approximate=tanh]"}
    case = bench.Case("gelu", "backward", "float32", 1000, (("approximate", "tanh"),))
    assert case.params == {"approximate": "tanh"}
    assert bench.Case.from_json(case.to_json()) == case


def test_cases_without_a_recipe_of_the_competitors_are_left_out():
    all_cases = bench.cases(functions=["squareplus", "sigmoid", "arctan"], sizes=(1000,),
                             dtypes=("float32",))
    keys = {(c.name, c.direction) for c in bench.with_recipes(all_cases, ["torch"])}
    assert keys == {("sigmoid", "forward"), ("sigmoid", "backward"), ("arctan", "forward")}
    assert len(bench.with_recipes(all_cases, ["numpy"])) == 5     # squareplus backward: none


def test_rows_below_one_report_the_alternations_fastact_won():
    # best medians 1.0 against 0.9 (ratio 0.90), but fastact faster in the
    # first and third alternations, each against PyTorch's faster thread count
    turns = {"fastact": [1.0, 1.5, 1.2], "torch-1t": [2.0, 0.9, 3.0], "torch-2t": [1.1, 1.4, 1.3]}
    result = bench.Result(CASE, {"fastact": 1.0, "torch-1t": 0.9, "torch-2t": 1.1}, {}, [],
                          turns)
    assert result.paired_wins("torch") == (2, 3)
    assert result.paired_wins("numpy") is None
    assert ("below 1.0: relu forward float32 1e3 0.90; fastact faster in 2 of 3 alternations"
            in bench.format_summary([result]))
    assert bench.Result(CASE, {"fastact": 1.0, "torch-1t": 0.9}, {}, []).paired_wins(
        "torch") is None


def test_measure_keeps_every_turn():
    (result,) = bench.measure([CASE], bench.plan(["numpy"]), alternations=3, rounds=1)
    assert set(result.turns) == {"fastact", "numpy"}
    assert all(len(ts) == 3 for ts in result.turns.values())
    assert all(result.times[label] == min(ts) for label, ts in result.turns.items())
    assert result.paired_wins("numpy")[1] == 3

"""Golden plans: the compiler's plan stage for every example, as ``tests/golden/plan`` has it.

A plan is what compiled functions are keyed on (``Plan.key``), so an unintended change of
a plan (a step's random stream, a mode, a size) shows here as a diff. Regenerate with
``python tests/regen_golden.py`` and review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import regen_golden

EXAMPLES = sorted(regen_golden.EXAMPLES.glob("*.scm"))
REGEN = "out of date: run `python tests/regen_golden.py` and review the diff"


def test_every_example_has_a_golden_plan() -> None:
    have = {p.stem for p in (regen_golden.GOLDEN / "plan").glob("*.expected")}
    assert have == {p.stem for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_plan_golden(path: Path) -> None:
    expected = (regen_golden.GOLDEN / "plan" / f"{path.stem}.expected").read_text("utf-8")
    assert regen_golden.golden_plan(path) == expected, REGEN


def test_the_driver_prints_every_stage() -> None:
    import docalc as dc
    from docalc.compiler.driver import STAGES, stage_texts

    model = dc.load(regen_golden.EXAMPLES / "linear.scm")
    texts = stage_texts(model.checked, do={"b": 1})
    assert [name for name, _ in texts] == list(STAGES)
    assert all(text.strip() for _, text in texts)
    plan = dict(texts)["plan"]
    assert "6: b [i] set ~ Normal(loc=0, scale=1) b = #" in plan

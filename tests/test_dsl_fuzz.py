"""A slice of bench/fuzz.py: 300 mutated programs, fixed seed, nothing but DocalcError.

The full run (``nice python bench/fuzz.py``, 40,000 inputs) is for a session to run and
report; this slice keeps every class of input it makes going through CI.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import fuzz


def test_a_slice_of_the_fuzzer_finds_nothing() -> None:
    report = fuzz.run(300, seed=12)
    assert report.inputs == 300
    assert not report.failures, "\n\n".join(report.failures[:3])
    # the slice reaches the checker and the interventions, not only the parser
    assert report.outcomes["ok"] > 0
    assert sum(v for k, v in report.outcomes.items() if k.startswith("do ")) > 0


def test_the_fuzzer_is_reproducible() -> None:
    first = [text for _, text, _ in fuzz.inputs(20, seed=3)]
    assert first == [text for _, text, _ in fuzz.inputs(20, seed=3)]
    assert first != [text for _, text, _ in fuzz.inputs(20, seed=4)]

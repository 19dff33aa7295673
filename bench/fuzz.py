"""Seeded fuzzing of the front end: mutated programs must fail with a DocalcError or check.

Each input is a program of the corpus (examples/*.scm, tests/bad/*.scm, tests/allowed/*.scm)
mutated 1-4 times (a character inserted, deleted or replaced, a token or a troublesome
snippet inserted, a line duplicated, moved or removed). Each one is checked with
``check_text``; when it checks, interventions on its nodes are applied as text
(``apply_intervention_text``), and a mutated intervention text is parsed on its own
(``parse_interventions``). Anything but a DocalcError, or an input that takes more than
10 s (a hang), is a failure: it is printed with its seed and index, and the run exits 1.

Usage: python bench/fuzz.py [-n 40000] [--seed 0] [--jobs 1]
Run with `nice`; tests/test_dsl_fuzz.py runs a slice of 300 in CI. Never assert on timings.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from docalc.dsl.errors import DocalcError
from docalc.dsl.frontend import apply_intervention_text, check_text, parse_interventions
from docalc.dsl.ir import CheckedModel
from docalc.dsl.spans import split_lines

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = ("examples", "tests/bad", "tests/allowed")
LIMIT_S = 10.0

TOKENS = ["~", "=", "(", ")", "[", "]", "{", "}", ",", ";", "\n", "|", ":", "+", "-", "*", "/",
          "^", "**", "<", "==", "do", "data", "plate", "query", "E", "factual", "pi", "exp",
          "Normal", "Categorical", "Uniform", "0", "1.5", "-1", "1e3", "#", " ", "\t"]
# snippets that found bugs once, or are meant to: numbers, limits, separators, line breaks
SNIPPETS = ["1e999", "1/0", "0/0", "log(-1)", "2^1024", "exp(800)", "7e38", "0x10", "1_000",
            "1..2", "2a", "[]", "[1.5, -0.5]", "Categorical(x)", "(" * 70, "plate p[0] {",
            "plate p[99999999999999999999999999999] {", "do(", "E[y | x = y]",
            "E[y | x = 1, x = 2]", "data=1", "loc=0, 1", "\f", "\v", "\x85", "\u2028", "\r",
            "\r\n", "\x00", "\\\n", "do(z = 0)", "factual", ";;", "9" * 400]
DO_VALUES = ["0", "1", "-1", "0.5", "2.5", "1e999", "1/0", "1e39", "x", "2 * {n}", "{n} + 1",
             "Normal(0, 1)", "Poisson(2)", "LogNormal(0, 1)", "Uniform(0, 1)"]


@dataclass
class Report:
    """What a run found."""

    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest_s: float = 0.0
    seconds: float = 0.0


class Hang(Exception):
    """Raised by the alarm when one input takes longer than LIMIT_S."""


def corpus(root: Path = ROOT) -> list[str]:
    """Return the texts the mutations start from."""
    out = []
    for d in CORPUS_DIRS:
        out += [p.read_text("utf-8") for p in sorted((root / d).glob("*.scm"))]
    return out


def mutate(text: str, rng: random.Random, least: int = 1) -> str:
    """Return ``text`` changed ``least`` to 4 times (once most often)."""
    for _ in range(max(least, rng.choice([0, 1, 1, 1, 2, 3, 4]))):
        pos = rng.randint(0, len(text))
        action = rng.choice(["insert", "delete", "replace", "token", "snippet", "line"])
        if action == "insert":
            text = text[:pos] + _char(rng) + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + rng.randint(1, 8):]
        elif action == "replace":
            text = text[:pos] + _char(rng) + text[pos + 1:]
        elif action == "token":
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif action == "snippet":
            text = text[:pos] + rng.choice(SNIPPETS) + text[pos:]
        else:
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            how = rng.choice(["dup", "drop", "move"])
            if how == "dup":
                lines.insert(rng.randrange(len(lines) + 1), lines[k])
            elif how == "drop":
                del lines[k]
            else:
                lines.insert(rng.randrange(len(lines)), lines.pop(k))
            text = "\n".join(lines)
    return text


def _char(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return chr(rng.randint(32, 126))
    return chr(rng.choice([rng.randint(0, 31), rng.randint(127, 0x2FFF), 0x2028, 0x85]))


def do_text(model: CheckedModel, rng: random.Random) -> str:
    """Return interventions on nodes of ``model``, as text, maybe mutated."""
    names = list(model.names) or ["x"]
    parts = []
    for _ in range(rng.randint(1, 3)):
        n = rng.choice(names)
        v = rng.choice(DO_VALUES).format(n=n)
        op = "~" if v[0].isupper() else "="
        parts.append(f"{n} {op} {v}")
    text = ", ".join(parts)
    return mutate(text, rng) if rng.random() < 0.3 else text


def placed(exc: DocalcError, text: str, source: str) -> None:
    """Check that the error formats and that its places lie in the text it is about."""
    assert str(exc)
    lines = split_lines(text)
    for d in exc.diagnostics:
        if d.span is not None and d.span.source == source and d.span.line > 0:
            assert d.span.line <= len(lines), f"{d.span} is past the last line {len(lines)}"
            shown = lines[d.span.line - 1].rstrip()
            assert d.line_text is None or d.line_text.rstrip() == shown, d.span


def one(text: str, rng: random.Random, outcomes: Counter[str]) -> None:
    """Run one input through the front end; let anything but a DocalcError propagate."""
    try:
        model = check_text(text)
    except DocalcError as exc:
        placed(exc, text, "<string>")
        outcomes[type(exc).__name__] += 1
        return
    outcomes["ok"] += 1
    for _ in range(2):
        ivs = do_text(model, rng)
        try:
            apply_intervention_text(model, ivs)
            outcomes["do ok"] += 1
        except DocalcError as exc:
            placed(exc, ivs.rstrip(), "<do>")
            outcomes[f"do {type(exc).__name__}"] += 1
    ivs = mutate(do_text(model, rng), rng, least=1)
    try:
        parse_interventions(ivs)
    except DocalcError as exc:
        placed(exc, ivs.rstrip(), "<do>")


def inputs(n: int, seed: int) -> Iterator[tuple[int, str, random.Random]]:
    """Yield ``n`` mutated programs, each with its own generator (reproducible by index)."""
    texts = corpus()
    for k in range(n):
        rng = random.Random(f"{seed}:{k}")
        yield k, mutate(rng.choice(texts), rng), rng


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def run(n: int, seed: int = 0, limit_s: float = LIMIT_S) -> Report:
    """Run ``n`` inputs and return what happened (failures listed, never raised)."""
    report = Report()
    timed = hasattr(signal, "setitimer")
    if timed:
        previous = signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    try:
        for k, text, rng in inputs(n, seed):
            t0 = time.perf_counter()
            try:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, limit_s)
                one(text, rng, report.outcomes)
            except Hang:
                report.failures.append(f"input {k} (seed {seed}) took over {limit_s} s:\n"
                                       f"{text!r}")
            except Exception:  # any other exception is what the fuzzer looks for
                report.failures.append(f"input {k} (seed {seed}):\n{text!r}\n"
                                       f"{traceback.format_exc()}")
            finally:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            report.slowest_s = max(report.slowest_s, time.perf_counter() - t0)
            report.inputs += 1
    finally:
        if timed:
            signal.signal(signal.SIGALRM, previous)
    report.seconds = time.perf_counter() - start
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer from the command line; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    report = run(args.n, args.seed)
    for f in report.failures:
        print(f, file=sys.stderr)
    print(f"{report.inputs} inputs, {len(report.failures)} failures, "
          f"{report.seconds:.0f} s (slowest input {report.slowest_s:.2f} s)")
    for outcome, count in report.outcomes.most_common():
        print(f"  {outcome}: {count}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Checking time of files with thousands of errors: it grows linearly with their number.

Four generated files, each at 1,000 and 4,000 errors: undefined names (each with a "did you
mean" search), two-node cycles, unit nodes read in another plate, and do() on unknown
nodes. Prints the time and the size of the formatted error (100 diagnostics and one line
"... and N more errors"); the ratio of the two sizes' times should be near 4.

Usage: nice python bench/bench_many_errors.py. Never assert on timings.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from docalc.dsl.errors import DocalcError
from docalc.dsl.frontend import check_text

CASES: dict[str, Callable[[int], str]] = {
    "undefined names": lambda n: "".join(f"node_{k} ~ Normal(undefined_{k}, 1)\n"
                                         for k in range(n)),
    "cycles": lambda n: "".join(f"a{k} = b{k}\nb{k} = a{k}\n" for k in range(n)),
    "wrong plate": lambda n: "plate g { t ~ Normal(0, 1) }\nplate i {\n"
                             + "".join(f"y{k} ~ Normal(t, 1)\n" for k in range(n)) + "}\n",
    "do unknown": lambda n: "x ~ Normal(0, 1)\n" + "".join(f"do(z{k} = 1)\n" for k in range(n)),
}


def timed(text: str) -> tuple[float, int]:
    """Return the seconds check_text takes and the length of its error text."""
    start = time.perf_counter()
    try:
        check_text(text)
        out = ""
    except DocalcError as exc:
        out = str(exc)
    return time.perf_counter() - start, len(out)


def main() -> None:
    """Print the time per case and size, and the ratio of the two."""
    for name, make in CASES.items():
        row = []
        for n in (1000, 4000):
            text = make(n)
            seconds, size = timed(text)
            row.append(seconds)
            print(f"{name:16} {n:5} errors  {len(text) / 1000:6.0f} KB  {seconds:6.2f} s  "
                  f"error text {size / 1000:.0f} KB")
        print(f"{'':16} ratio 4000/1000: {row[1] / row[0]:.1f}")


if __name__ == "__main__":
    main()

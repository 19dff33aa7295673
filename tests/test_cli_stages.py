"""``docalc check FILE --stages``: every stage's output under a heading, front end first."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from docalc.cli import main
from docalc.cli_commands import COMPILER_DRIVER
from docalc.dsl.frontend import STAGES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LINEAR = EXAMPLES / "linear.scm"


def headings(out: str) -> list[str]:
    return [ln[3:-3] for ln in out.splitlines() if ln.startswith("== ") and ln.endswith(" ==")]


@pytest.fixture
def no_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    # the compiler's stages are tested with the compiler; here the front end's, alone
    monkeypatch.setitem(sys.modules, COMPILER_DRIVER, None)  # type: ignore[arg-type]


def test_front_end_stages_in_order(no_driver: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(LINEAR), "--stages"]) == 0
    out = capsys.readouterr().out
    assert headings(out) == [s.name for s in STAGES] == ["text", "ast", "checked IR"]
    text, rest = out.split("== ast ==\n")
    assert text.removeprefix("== text ==\n") == LINEAR.read_text()
    ast_text, ir = rest.split("== checked IR ==\n")
    assert "y ~ Normal(y_mu, sigma_y)" in ast_text and "#" not in ast_text
    assert ir.startswith(f"model {LINEAR}\n")
    assert "y_mu         deterministic" in ir
    assert out.rstrip().endswith("(compiler stages: not available)")


def test_do_adds_the_intervened_ir(no_driver: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(LINEAR), "--stages", "--do", "b = 0", "--do", "c = 2 * c"]) == 0
    out = capsys.readouterr().out
    assert headings(out)[-1] == "checked IR, with --do"
    assert "do set   b = 0" in out and "do shift c = 2 * c" in out


def test_a_failing_stage_stops_after_the_outputs_before_it(
        no_driver: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.scm").write_text("x ~ Normal(0, 1)\ny ~ Nromal(x, 1)\n")
    assert main(["check", str(tmp_path / "bad.scm"), "--stages"]) == 1
    captured = capsys.readouterr()
    assert headings(captured.out) == ["text", "ast"]
    assert "bad.scm:2:5: error: unknown distribution 'Nromal'" in captured.err


def test_missing_file(no_driver: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.scm"), "--stages"]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'nope.scm'}: error: no such file"


def test_compiler_stages_follow_with_data_and_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, Any] = {}

    def stage_texts(checked: Any, data: Any = None, do: Any = None) -> list[tuple[str, str]]:
        seen.update(checked=checked, data=data, do=do)
        return [("bind", "sizes i=3\n"), ("plan", "step y")]

    driver = types.ModuleType(COMPILER_DRIVER)
    driver.stage_texts = stage_texts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, COMPILER_DRIVER, driver)
    pd.DataFrame({"a": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "d.csv", index=False)
    assert main(["check", str(LINEAR), "--stages", "--do", "b = 0",
                 "--data", str(tmp_path / "d.csv")]) == 0
    out = capsys.readouterr().out
    assert headings(out)[-2:] == ["bind", "plan"]
    assert out.endswith("== plan ==\nstep y\n")
    assert seen["do"] == "b = 0" and list(seen["data"].columns) == ["a"]
    assert not seen["checked"].interventions  # the driver applies --do itself


def test_without_stages_check_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(LINEAR)]) == 0
    assert capsys.readouterr().out == f"{LINEAR}: ok (10 nodes, 1 plate, 4 queries)\n"

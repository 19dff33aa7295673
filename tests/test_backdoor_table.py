"""The backdoor adjustment formula on tables with known answers."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from docalc.compiler.graph.backdoor import backdoor
from docalc.errors import DocalcDataError

ROWS = (
    "High Fancy Great; High Fancy Bad; High Fancy Great; High Fancy Great; High Fancy Great; "
    "High Fancy Great; High Fancy Bad; Low Fancy Bad; Low Cheap Great; High Cheap Bad; "
    "Low Cheap Great; Low Cheap Bad; Low Cheap Bad; Low Cheap Bad; Low Cheap Bad; Low Cheap Bad"
)


@pytest.fixture
def gear() -> pd.DataFrame:
    return pd.DataFrame([r.split() for r in ROWS.split("; ")], columns=["Talent", "Gear", "Sound"])


def test_gear_table_answers(gear: pd.DataFrame) -> None:
    r = backdoor(gear, treatment="Gear", outcome="Sound", adjust=["Talent"],
                 treatment_value="Fancy", outcome_value="Great")
    assert r.naive == pytest.approx(0.625)
    assert r.adjusted == pytest.approx(5 / 14)  # 0.5 * 5/7 + 0.5 * 0/1
    assert round(r.adjusted, 3) == 0.357
    assert r.adjust == ("Talent",)
    s = r.strata
    assert s.loc["High", "p_stratum"] == pytest.approx(0.5)
    assert s.loc["High", "conditional"] == pytest.approx(5 / 7)
    assert s.loc["Low", "conditional"] == pytest.approx(0.0)
    assert list(s["count"]) == [8, 8] and list(s["treated_count"]) == [7, 1]
    text = str(r)
    assert "P(Sound=Great | do(Gear=Fancy)) = 0.3571" in text
    assert "P(Sound=Great | Gear=Fancy) = 0.625" in text


def test_adjust_given_as_a_string(gear: pd.DataFrame) -> None:
    r = backdoor(gear, "Gear", "Sound", "Talent", treatment_value="Fancy", outcome_value="Great")
    assert r.adjusted == pytest.approx(5 / 14) and r.adjust == ("Talent",)


def test_no_adjustment_is_the_plain_conditional(gear: pd.DataFrame) -> None:
    r = backdoor(gear, "Gear", "Sound", treatment_value="Fancy", outcome_value="Great")
    assert r.adjusted == r.naive == pytest.approx(0.625)
    assert r.adjust == ()


def test_other_treatment_value(gear: pd.DataFrame) -> None:
    r = backdoor(gear, "Gear", "Sound", ["Talent"], treatment_value="Cheap", outcome_value="Great")
    assert r.naive == pytest.approx(2 / 8)
    assert r.adjusted == pytest.approx(0.5 * 0 / 1 + 0.5 * 2 / 7)


def test_default_values_are_one_on_coded_data(gear: pd.DataFrame) -> None:
    coded = pd.DataFrame({
        "T": (gear["Talent"] == "High").astype(int),
        "G": (gear["Gear"] == "Fancy").astype(int),
        "S": (gear["Sound"] == "Great").astype(int),
    })
    r = backdoor(coded, "G", "S", ["T"])
    assert r.naive == pytest.approx(0.625) and r.adjusted == pytest.approx(5 / 14)
    mean = backdoor(coded, "G", "S", ["T"], outcome_value=None)  # the mean of a 0/1 outcome
    assert mean.adjusted == pytest.approx(5 / 14)
    assert "E[S | do(G=1)]" in str(mean)


def test_mean_of_a_numeric_outcome() -> None:
    table = pd.DataFrame({
        "z": [0, 0, 0, 1, 1, 1],
        "x": [1, 1, 0, 1, 0, 0],
        "y": [2.0, 4.0, 9.0, 10.0, 1.0, 1.0],
    })
    r = backdoor(table, "x", "y", ["z"], treatment_value=1, outcome_value=None)
    assert r.naive == pytest.approx((2 + 4 + 10) / 3)
    assert r.adjusted == pytest.approx(0.5 * 3.0 + 0.5 * 10.0)


def test_matches_a_loop_over_strata_on_random_tables() -> None:
    rng = random.Random(7)
    for _ in range(20):
        rows = [(rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 1), rng.randint(0, 1))
                for _ in range(200)]
        table = pd.DataFrame(rows, columns=["a", "b", "x", "y"])
        strata = {(a, b) for a, b, _, _ in rows}
        if any(not any(r[:2] == s and r[2] == 1 for r in rows) for s in strata):
            continue  # positivity fails; tested separately
        expected = 0.0
        for s in strata:
            in_s = [r for r in rows if r[:2] == s]
            treated = [r for r in in_s if r[2] == 1]
            expected += len(in_s) / len(rows) * sum(r[3] for r in treated) / len(treated)
        result = backdoor(table, "x", "y", ["a", "b"])
        assert result.adjusted == pytest.approx(expected)
        assert result.strata["p_stratum"].sum() == pytest.approx(1.0)


def test_rows_with_missing_values_are_dropped(gear: pd.DataFrame) -> None:
    extra = pd.DataFrame({"Talent": [None], "Gear": ["Fancy"], "Sound": ["Great"]})
    r = backdoor(pd.concat([gear, extra], ignore_index=True), "Gear", "Sound", ["Talent"],
                 treatment_value="Fancy", outcome_value="Great")
    assert r.naive == pytest.approx(0.625) and r.adjusted == pytest.approx(5 / 14)


def test_missing_column_is_named(gear: pd.DataFrame) -> None:
    with pytest.raises(DocalcDataError, match=r"column 'Skill' is not in the table.*Talent, Gear"):
        backdoor(gear, "Gear", "Sound", ["Skill"], "Fancy", "Great")


def test_value_that_never_occurs(gear: pd.DataFrame) -> None:
    with pytest.raises(DocalcDataError, match=r"value 'Shiny' never occurs in column 'Gear'"):
        backdoor(gear, "Gear", "Sound", ["Talent"], "Shiny", "Great")
    with pytest.raises(DocalcDataError, match=r"value 'Loud' never occurs in column 'Sound'"):
        backdoor(gear, "Gear", "Sound", ["Talent"], "Fancy", "Loud")


def test_positivity_violation_names_the_stratum(gear: pd.DataFrame) -> None:
    no_low_fancy = gear[~((gear["Talent"] == "Low") & (gear["Gear"] == "Fancy"))]
    with pytest.raises(DocalcDataError, match=r"positivity.*Talent='Low'.*Gear='Fancy'"):
        backdoor(no_low_fancy, "Gear", "Sound", ["Talent"], "Fancy", "Great")


def test_mean_of_a_text_outcome_is_refused(gear: pd.DataFrame) -> None:
    with pytest.raises(DocalcDataError, match="not numeric"):
        backdoor(gear, "Gear", "Sound", ["Talent"], "Fancy", None)


def test_treatment_in_its_own_adjustment_set_is_refused(gear: pd.DataFrame) -> None:
    with pytest.raises(DocalcDataError, match="must not share a column"):
        backdoor(gear, "Gear", "Sound", ["Gear"], "Fancy", "Great")

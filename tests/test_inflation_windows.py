"""credential_inflation keeps each window's estimates (int_window_estimates):
the weekly refresh bootstraps only the new recent window, a kept estimate is
byte-identical to a recomputed one, and a kept window whose weeks were
reloaded is recomputed, not reused.

A 4-week inflation window over 12 weeks, so windows repeat: the prior window
of as-of W12 (W05-W08) is the recent window of as-of W08."""
from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, write_clean_postings, write_mentions
from credwatch.settings import paths
from warehouse import premium
from warehouse.load import load_weeks
from warehouse.publish import table_checksum

WEEKS = [f"2026-W{i:02d}" for i in range(1, 13)]


def _step():
    spec = importlib.util.spec_from_file_location("inflation_step", REPO / "warehouse/models/build/55_credential_inflation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def small_window(tmp_path, monkeypatch):
    cfg = tmp_path / "config"
    shutil.copytree(REPO / "config", cfg)
    marts = cfg / "marts.yml"
    marts.write_text(marts.read_text().replace("inflation_window_weeks: 26", "inflation_window_weeks: 4"))
    assert "inflation_window_weeks: 4" in marts.read_text()
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))


def write_week(week: str, aws_pay: float) -> None:
    """200 postings listed only this week; 50 require aws-saa at about aws_pay,
    30 require pmp at about 110k, the rest (about 100k) ask for neither."""
    rnd = random.Random(week)
    part = paths().clean_partition(week)
    part.mkdir(parents=True, exist_ok=True)
    postings, mentions = [], []
    for i in range(200):
        key = f"gh:{week}-{i}"
        pay = aws_pay if i < 50 else 110_000 if i < 80 else 100_000
        postings.append({"week": week, "source": "gh", "source_id": key.split(":")[1], "posting_key": key,
                         "soc_major": "15" if i % 3 else "13", "country": "US" if i % 4 else "DE",
                         "salary_mid_usd": round(pay * rnd.uniform(0.8, 1.2))})
        if i < 80:
            mentions.append({"week": week, "line_start": 0, "section": "requirements", "rule": "dictionary",
                             "posting_key": key, "entity_type": "credential", "entity_id": "aws-saa" if i < 50 else "pmp",
                             "surface": "x", "line_no": 0, "strength": "required", "counts_as_demand": True})
    write_clean_postings(part / "postings.parquet", postings)
    write_mentions(part / "mentions.parquet", mentions)


def pay(week: str) -> float:
    """aws-saa pays 130k, falling 2k a week."""
    return 130_000 - 2_000 * WEEKS.index(week)


def checksum() -> str:
    con = duckdb.connect(str(paths().work_db), read_only=True)
    try:
        return table_checksum(con, "credential_inflation")
    finally:
        con.close()


def windows_read(monkeypatch) -> list:
    """Records the weeks of every inflation window whose population is read
    (= bootstrapped); credential_value_weekly reads one week at a time."""
    seen = []
    real = premium.population_reads

    def spy(con, weeks):
        if len(weeks) > 1:
            seen.append(list(weeks))
        return real(con, weeks)
    monkeypatch.setattr(premium, "population_reads", spy)
    return seen


def test_refresh_bootstraps_only_the_new_window_and_kept_equals_recomputed(lake, small_window, monkeypatch):
    for w in WEEKS:
        write_week(w, pay(w))
    load_weeks(WEEKS[:-1])
    seen = windows_read(monkeypatch)
    load_weeks(WEEKS[-1:])
    assert seen == [WEEKS[8:12]]  # the prior window W05-W08 was kept from as-of W08
    con = duckdb.connect(str(paths().work_db), read_only=True)
    row = con.execute("SELECT prior_from, prior_to, premium_prior_pct, premium_recent_pct, premium_change_ci_high_pp "
                      "FROM credential_inflation WHERE as_of_week = ? AND credential_id = 'aws-saa'", [WEEKS[-1]]).fetchone()
    con.close()
    assert row[:2] == (WEEKS[4], WEEKS[7])
    assert row[2] > row[3] and row[4] < 0  # the planted fall is found
    refreshed = checksum()

    # The same weeks built at once, and again with nothing kept: the same bytes.
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(lake / "warehouse-at-once"))
    load_weeks(WEEKS)
    assert checksum() == refreshed
    con = duckdb.connect(str(paths().work_db))
    con.execute("DELETE FROM int_window_estimates")
    con.close()
    seen.clear()
    load_weeks(WEEKS[-1:])
    assert seen == [WEEKS[4:8], WEEKS[8:12]]  # nothing kept: both windows bootstrapped
    assert checksum() == refreshed


def test_a_kept_window_whose_week_is_reloaded_is_recomputed(lake, small_window, monkeypatch):
    for w in WEEKS:
        write_week(w, pay(w))
    load_weeks(WEEKS)
    before = checksum()
    # W06 reloaded with aws-saa paying 200k: every window holding W06, and every
    # later one, must see it (W05-W08 is kept under the same key until then).
    write_week(WEEKS[5], 200_000)
    seen = windows_read(monkeypatch)
    load_weeks([WEEKS[5]])
    assert WEEKS[4:8] in seen
    reloaded = checksum()
    assert reloaded != before
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(lake / "warehouse-at-once"))
    load_weeks(WEEKS)
    assert checksum() == reloaded


def test_window_key_names_weeks_settings_registry_and_code():
    step = _step()
    s = premium.settings()
    base = step.window_key(WEEKS[:4], s, ["aws-saa", "pmp"])
    assert base == step.window_key(list(WEEKS[:4]), s, ["aws-saa", "pmp"])
    assert base != step.window_key(WEEKS[1:5], s, ["aws-saa", "pmp"])
    assert base != step.window_key(WEEKS[:4], premium.Settings(s.min_n, s.ref_min_n, s.samples + 1, s.interval, s.seed),
                                   ["aws-saa", "pmp"])
    assert base != step.window_key(WEEKS[:4], s, ["aws-saa"])
    step._CODE = "other code"
    assert base != step.window_key(WEEKS[:4], s, ["aws-saa", "pmp"])

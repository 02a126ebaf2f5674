"""End to end: the real DAG, through Airflow (`airflow dags test`), against
the offline snapshot web, for four weeks. The published numbers must recover
the generator's planted truths.

Tolerance: the demand share of every credential must equal the generator's
ground truth (postings it wrote with that credential as demand / postings it
served that week) within 0.005 absolute — i.e. at most about two postings of
~440 misread per credential and week. The planted trend must show: the rising
credential gains ≥ 3 points between the first two and last two weeks of the
calendar, the falling one loses ≥ 3 points, the flat one moves < 1.5 points.
"""
from __future__ import annotations

import shutil

import duckdb
import pytest
import yaml

from conftest import REPO

from credwatch.demo import airflow_env, run_dag_test
from credwatch.settings import paths
from snapshot.generator import Snapshot
from snapshot.planted import CALENDAR, PLANTED
from snapshot.server import SnapshotServer

pytestmark = pytest.mark.e2e
WEEKS = [CALENDAR[0], CALENDAR[1], CALENDAR[-2], CALENDAR[-1]]
TOLERANCE = 0.005


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
    mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
    # Four weeks from both ends of the calendar show the planted trends at a
    # quarter of the cost of sixteen; the gate's "no missing week" check would
    # rightly refuse such a sparse calendar, so this run's config turns it off.
    cfg = root / "config"
    shutil.copytree(REPO / "config", cfg)
    q = yaml.safe_load((cfg / "quality.yml").read_text())
    q["marts"]["allow_week_gaps"] = True
    (cfg / "quality.yml").write_text(yaml.safe_dump(q, sort_keys=False))
    mp.setenv("CREDWATCH_CONFIG", str(cfg))
    home = root / "airflow"
    try:
        with SnapshotServer() as server:
            rc = run_dag_test(WEEKS, server.url, home, airflow_env(home))
        assert rc == 0, f"airflow dags test failed; see logs in {home / 'logs'}"
        con = duckdb.connect(str(paths().published_db), read_only=True)
        rows = con.execute(
            "SELECT week, credential_id, active_postings, mentioning_postings, demand_share, required_share, preferred_share, "
            "or_equivalent_share FROM credential_demand_weekly WHERE soc_major = 'ALL' AND region = 'ALL'"
        ).fetchall()
        con.close()
        yield {(w, c): tuple(rest) for w, c, *rest in rows}
    finally:
        mp.undo()


def test_published_weeks_and_coverage(published):
    assert {w for w, _ in published} == set(WEEKS)
    with_demand = {c for (w, c), (_, m, *_) in published.items() if m > 0}
    assert len(with_demand) >= 30


def test_shares_match_generator_truth(published):
    truth = {(t["week"], t["credential_id"]): t for t in Snapshot().truth_demand(WEEKS)}
    misses = []
    for key, t in truth.items():
        got = published.get(key)
        assert got is not None, f"{key} missing from the mart"
        assert got[0] == t["active_postings"], f"{key}: active {got[0]} != served {t['active_postings']}"
        if abs(got[2] - t["demand_share"]) > TOLERANCE:
            misses.append((key, got[2], t["demand_share"]))
    assert not misses, f"shares off by more than {TOLERANCE}: {misses[:10]}"


def test_strength_shares_match_generator_truth(published):
    """required / preferred / or-equivalent shares: each posting at its planted strength."""
    misses = []
    for t in Snapshot().truth_demand(WEEKS):
        got = published[(t["week"], t["credential_id"])]
        for i, name in ((3, "required"), (4, "preferred"), (5, "or_equivalent")):
            want = t[f"{name}_postings"] / t["active_postings"]
            if abs(got[i] - want) > TOLERANCE:
                misses.append((t["week"], t["credential_id"], name, got[i], want))
    assert not misses, f"strength shares off by more than {TOLERANCE}: {misses[:10]}"


def _trend(published, cid):
    first = sum(published[(w, cid)][2] for w in WEEKS[:2]) / 2
    last = sum(published[(w, cid)][2] for w in WEEKS[2:]) / 2
    return last - first


def test_planted_trends_recovered(published):
    assert _trend(published, PLANTED["rising"]) >= 0.03
    assert _trend(published, PLANTED["falling"]) <= -0.03
    assert abs(_trend(published, PLANTED["flat"])) < 0.015

"""Real replay (issue 6 item 5): the Greenhouse board history
(../shared/data/greenhouse-history, tests-only data read in place) served
week by week by the replay web, crawled by the real Greenhouse spider,
normalized, backfilled and published: posting_lineage and the weekly
listed/new counts of source_health_weekly must equal the data set's
presence table exactly.

CI subset: every 25th board (40 of 997) over the data set's last 10 weeks
(~2 min on 2 cores, bound by normalize's per-week cost). The whole history
(997 boards x 43 weeks) is benchmarks/replay_greenhouse.py.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import polars as pl
import pytest

from conftest import shared_data
from credwatch.weeks import index_between
from snapshot.replay import GreenhouseHistory, GreenhouseReplay, ReplayServer, run_replay

EVERY = 25
WEEKS = 10


@pytest.fixture(scope="module")
def history() -> GreenhouseHistory:
    root = shared_data("greenhouse-history")  # skips with the reason when ../shared/data is absent
    last_weeks = GreenhouseHistory(root, every=EVERY).weeks[-WEEKS:]
    return GreenhouseHistory(root, every=EVERY, first_week=last_weeks[0])


@pytest.fixture(scope="module")
def replay(history) -> GreenhouseReplay:
    return GreenhouseReplay(history)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_replay_serves_exactly_the_presence_rows(history, replay):
    presence = replay.presence
    board_week = presence.group_by("board", "iso_week").len().sort("len", "board", "iso_week", descending=True).row(0)
    board, week = board_week[0], board_week[1]
    rows = presence.filter((pl.col("board") == board) & (pl.col("iso_week") == week)).sort("pos")
    objects = {}
    for b, line in history.job_lines():
        if b == board:
            obj = json.loads(line)
            objects[(obj.pop("id"), obj["updated_at"])] = obj
    with ReplayServer(replay) as server:
        status, body = get(f"{server.url}/{week}/greenhouse/v1/boards/{board}/jobs?content=true")
        missing_status, _ = get(f"{server.url}/{week}/greenhouse/v1/boards/no-such-board/jobs")
        detail_status, _ = get(f"{server.url}/{week}/greenhouse/v1/boards/{board}/jobs/1")
    assert status == 200 and missing_status == 404 and detail_status == 404
    served = json.loads(body)
    assert served["meta"]["total"] == len(served["jobs"]) == rows.height > 10
    assert [j["id"] for j in served["jobs"]] == rows["job_id"].to_list()  # same jobs, same order
    assert [j["updated_at"] for j in served["jobs"]] == rows["updated_at"].to_list()
    first = dict(served["jobs"][0])
    assert "board" not in first and "content" not in first  # the list form, without the data set's added keys
    if rows["variant"][0] == 0:
        assert {k: v for k, v in first.items() if k != "id"} == {k: v for k, v in objects[(first["id"], first["updated_at"])].items() if k != "board"}


def test_replay_lineage_and_weekly_counts_match_presence(history, replay, tmp_path):
    per_job, weekly = history.truth(replay.presence)
    # The subset must hold the cases that make lineage hard: postings that drop out and come back.
    span = per_job.with_columns(
        pl.struct("first_seen", "last_seen").map_elements(lambda s: index_between(s["first_seen"], s["last_seen"]) + 1,
                                                          return_dtype=pl.Int64).alias("span"))
    assert span.filter(pl.col("weeks_seen") < pl.col("span")).height > 10
    t0 = time.monotonic()
    out = run_replay(history, tmp_path, replay=replay)
    seconds = time.monotonic() - t0
    print(f"replay of {len(history.boards)} boards x {len(history.weeks)} weeks: {seconds:.0f} s "
          f"(crawl {out['crawl_s']} s, backfill {out['backfill_s']} s {out['backfill_steps_s']})")
    assert {w: c["quarantined"] for w, c in out["crawl"].items()} == {w: 0 for w in history.weeks}
    a = out["agreement"]
    assert a["postings_lineage"] == a["postings_truth"] == per_job.height > 1000
    assert a["postings_disagreeing"] == 0, a["disagreements"]
    assert a["weeks"] == WEEKS and a["weeks_disagreeing"] == 0, a["week_disagreements"]
    assert [r["postings_listed_wh"] for r in a["weekly"]] == weekly["postings_listed"].to_list()
    assert [r["new_postings_wh"] for r in a["weekly"]] == weekly["new_postings"].to_list()

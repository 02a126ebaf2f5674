"""Real replay: the Greenhouse board history through the whole pipeline.

Serves ../shared/data/greenhouse-history (43 real ISO weeks, 997 boards;
tests-only data, read in place) through the replay web (snapshot/replay.py),
crawls every week with the real Greenhouse spider, backfills all weeks
(normalize → load → validate → publish) and compares the published
posting_lineage (first/last week and weeks seen per posting) and
source_health_weekly (postings listed / first listed per week) with the
data set's presence table.

Usage: .venv/bin/python benchmarks/replay_greenhouse.py [--every N] [--first-week W] [--last-week W]
                                                         [--data DIR] [--workdir DIR] [--json PATH]
Prints per-week crawl and normalize times and counts, the step totals and the
agreement; exits 1 when lineage or weekly counts disagree with presence.
Not a test: times depend on the machine (2 cores here). Results: docs/benchmarks.md "Real replay".
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snapshot.replay import DEFAULT_ROOT, GreenhouseHistory, run_replay  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_ROOT, help=f"the greenhouse-history folder (default {DEFAULT_ROOT})")
    ap.add_argument("--every", type=int, default=1, help="replay every N-th board, sorted by token (default 1 = all 997)")
    ap.add_argument("--first-week", help="first ISO week to replay (default: the data set's first, 2025-W44)")
    ap.add_argument("--last-week", help="last ISO week to replay (default: the data set's last, 2026-W34)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where config, lake and warehouse of the run go (default: a temporary folder, removed after)")
    ap.add_argument("--json", type=Path, default=None, help="also write the full result as JSON here")
    args = ap.parse_args(argv)

    history = GreenhouseHistory(args.data, every=args.every, first_week=args.first_week, last_week=args.last_week)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="credwatch-replay-"))
    try:
        out = run_replay(history, workdir, log=lambda m: print(m, file=sys.stderr, flush=True))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    agreement = out["agreement"]
    print(f"replay: {out['boards']} boards x {out['weeks']} weeks; total {out['total_s']} s "
          f"(index {out['replay_index_s']} s, crawl {out['crawl_s']} s, backfill {out['backfill_s']} s: "
          + ", ".join(f"{k} {v} s" for k, v in out["backfill_steps_s"].items() if k != "normalize")
          + f"); peak RSS of this process {out['peak_rss_mb']} MB")
    print("| week | requests | items | quarantined | boards gone | crawl s | normalize s | listed | new | listed (presence) | new (presence) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in agreement["weekly"]:
        w = row["week"]
        c = out["crawl"].get(w, {})
        print(f"| {w} | {c.get('requests')} | {c.get('items')} | {c.get('quarantined')} | {c.get('targets_gone')} | "
              f"{c.get('duration_s')} | {out['backfill_steps_s']['normalize'].get(w)} | {row['postings_listed_wh']} | "
              f"{row['new_postings_wh']} | {row['postings_listed']} | {row['new_postings']} |")
    ok = agreement["postings_disagreeing"] == 0 and agreement["weeks_disagreeing"] == 0 \
        and agreement["postings_truth"] == agreement["postings_lineage"]
    print(f"lineage: {agreement['postings_lineage']} postings in posting_lineage, {agreement['postings_truth']} in presence, "
          f"{agreement['postings_disagreeing']} disagreeing; weekly listed/new: {agreement['weeks_disagreeing']} of "
          f"{agreement['weeks']} weeks disagreeing -> {'EXACT' if ok else 'MISMATCH'}")
    if not ok:
        print(json.dumps({"disagreements": agreement["disagreements"], "weeks": agreement["week_disagreements"]}, default=str))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Throughput of transforms.dedupe on synthetic postings, streamed week by week.

Generates N distinct source postings (default 1,000,000) over 52 ISO weeks:
each lives a geometric number of weeks (mean ~4), about 8% are cross-source
copies of another posting (same job, one extra line of text, company/title
spelled differently), about 4% are reposts under a new id after a 1-6 week
gap, and blocking keys collide on purpose (20,000 companies x 300 titles x 150
cities). Texts are ~300 words (~2,000 characters) assembled from a pool of
paragraphs. Each week's full crawl (all active postings, with text) is fed to
`assign_week`; generation time is excluded from the dedupe time.

Usage: .venv/bin/python benchmarks/dedupe_throughput.py [--postings N] [--weeks 52]
Prints one JSON line: postings, weekly rows, seconds, postings/s, rows/s, peak RSS.
Not a test: numbers depend on the machine (2 cores, 24 GB here).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from credwatch.weeks import shift  # noqa: E402
from transforms.dedupe import DedupeState, assign_week, dedupe_config, lineage_from_state  # noqa: E402


def make_postings(n: int, weeks: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n_copy, n_repost = int(n * 0.08), int(n * 0.04)
    n_base = n - n_copy - n_repost
    base = pl.DataFrame({
        "pid": np.arange(n_base),
        "company_i": rng.integers(0, 20_000, n_base),
        "title_i": rng.integers(0, 300, n_base),
        "city_i": rng.integers(0, 150, n_base),
        "start": rng.integers(0, weeks, n_base),
        "dur": np.minimum(rng.geometric(0.25, n_base), 20),
        "src": rng.choice(3, n_base, p=[0.5, 0.3, 0.2]),
        "para_seed": np.arange(n_base),
        "variant": np.zeros(n_base, dtype=np.int64),
    })
    orig = rng.integers(0, n_base, n_copy)
    copies = base[orig].with_columns(
        pid=pl.Series(np.arange(n_base, n_base + n_copy)),
        src=(pl.col("src") + 1) % 3,
        start=pl.col("start") + pl.Series(rng.integers(0, 2, n_copy)),
        variant=pl.lit(1, dtype=pl.Int64),
    )
    orig = rng.integers(0, n_base, n_repost)
    reposts = base[orig].with_columns(
        pid=pl.Series(np.arange(n_base + n_copy, n)),
        start=pl.col("start") + pl.col("dur") + pl.Series(rng.integers(1, 7, n_repost)),
        variant=pl.lit(2, dtype=pl.Int64),
    )
    return pl.concat([base, copies, reposts]).filter(pl.col("start") < weeks).with_columns(
        pl.min_horizontal(pl.col("dur"), weeks - pl.col("start")).alias("dur")
    )


def week_frame(postings: pl.DataFrame, w: int, week: str, paragraphs: pl.DataFrame) -> pl.DataFrame:
    """The week's crawl: every posting active in week index `w`, with its text."""
    active = postings.filter((pl.col("start") <= w) & (pl.col("start") + pl.col("dur") > w))
    n_par = paragraphs.height
    out = active.with_columns(((pl.col("para_seed") * 2654435761 + j * 40503) % n_par).alias(f"p{j}") for j in range(6))
    for j in range(6):
        out = out.join(paragraphs.rename({"i": f"p{j}", "par": f"t{j}"}), on=f"p{j}", how="left")
    copy = pl.col("variant") == 1
    srcname = pl.col("src").replace_strict({0: "greenhouse", 1: "lever", 2: "schemaorg"}, return_dtype=pl.String)
    return out.select(
        (srcname + ":" + pl.col("pid").cast(pl.String)).alias("posting_key"),
        pl.lit(week).alias("week"),
        srcname.alias("source"),
        pl.col("pid").cast(pl.String).alias("source_id"),
        (pl.when(copy).then(pl.lit("Sr. ")).otherwise(pl.lit("Senior ")) + pl.lit("Role ") + pl.col("title_i").cast(pl.String)).alias("title"),
        (pl.lit("Company ") + pl.col("company_i").cast(pl.String) + pl.when(copy).then(pl.lit(" Inc.")).otherwise(pl.lit(""))).alias("company"),
        (pl.lit("City ") + pl.col("city_i").cast(pl.String) + pl.lit(", ST")).alias("location_raw"),
        (pl.concat_str([pl.col(f"t{j}") for j in range(6)], separator="\n")
         + pl.when(copy).then(pl.lit("\nApply through our partner board today.")).otherwise(pl.lit(""))).alias("text"),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=1_000_000)
    ap.add_argument("--weeks", type=int, default=52)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(11)
    vocab = np.array([f"word{i}" for i in range(8000)])
    paragraphs = pl.DataFrame({"i": np.arange(5000), "par": [" ".join(vocab[rng.integers(0, 8000, 50)]) for _ in range(5000)]})
    postings = make_postings(args.postings, args.weeks)
    cfg = dedupe_config()
    state = DedupeState.empty(cfg)
    t_dedupe = t_gen = 0.0
    rows = 0
    for w in range(args.weeks):
        week = shift("2025-W01", w)
        t0 = time.perf_counter()
        frame = week_frame(postings, w, week, paragraphs)
        t1 = time.perf_counter()
        state = assign_week(frame, state, week, cfg)
        t2 = time.perf_counter()
        t_gen += t1 - t0
        t_dedupe += t2 - t1
        rows += frame.height
        print(f"{week}: rows={frame.height} canonicals={state.canonicals.height} members={state.members.height} "
              f"dedupe {t2 - t1:.2f}s", file=sys.stderr, flush=True)
    lin = lineage_from_state(state)
    out = {
        "source_postings": state.members.height,
        "canonical_postings": state.canonicals.height,
        "weekly_rows": rows,
        "weeks": args.weeks,
        "dedupe_seconds": round(t_dedupe, 1),
        "generation_seconds": round(t_gen, 1),
        "source_postings_per_s": round(state.members.height / t_dedupe),
        "weekly_rows_per_s": round(rows / t_dedupe),
        "links": dict(state.members.group_by("link").len().iter_rows()),
        "reposts": int(lin["repost_count"].sum()),
        "duplicates": int(lin["duplicate_count"].sum()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

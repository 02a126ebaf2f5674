"""Normalize one week: raw scraped items (all job sources) → clean postings
and credential mentions, written as Parquet to lake/clean/week=<W>/.

Input partitions:  lake/raw/source=<name>/week=<W>/items.jsonl  (job sources)
Output partition:  lake/clean/week=<W>/postings.parquet   one row per posting
                   lake/clean/week=<W>/mentions.parquet   one row per mention
                   lake/clean/week=<W>/source_stats.parquet  crawl counters per source
Rerunning a week replaces exactly that week's output (written aside, renamed).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths
from credwatch.weeks import parse_week
from transforms.clean import html_to_text, to_lines
from transforms.degrees import degree_mentions, experience_years
from transforms.extract import credential_mention_frame
from transforms.location import parse_location
from transforms.occupation import code_occupations
from transforms.salary import parse_salary
from transforms.skills import RULES as SKILL_RULES, line_norm, skill_mention_frame, with_line_ids
from transforms.source_stats import source_stats
from transforms.candidates import find_candidates
from transforms.offerings import normalize_offerings

# Explicit schema of scrapers.items.PostingItem as stored in items.jsonl.
RAW_POSTING_SCHEMA = {
    "source": pl.String,
    "source_id": pl.String,
    "url": pl.String,
    "title": pl.String,
    "company": pl.String,
    "location_raw": pl.String,
    "remote": pl.Boolean,
    "hybrid": pl.Boolean,
    "description_html": pl.String,
    "description_text": pl.String,
    "date_posted": pl.String,
    "valid_through": pl.String,
    "employment_type": pl.String,
    "salary_raw": pl.String,
    "salary_min": pl.Float64,
    "salary_max": pl.Float64,
    "salary_currency": pl.String,
    "salary_period": pl.String,
    "language": pl.String,
    "week": pl.String,
    "fetched_at": pl.String,
    "payload_sha256": pl.String,
}


def job_sources() -> list[str]:
    return [s["name"] for s in load_config("sources")["sources"] if s.get("type") == "jobs"]


def raw_item_files(week: str) -> list[Path]:
    """items.jsonl of every job source's completed partition for the week."""
    out = []
    for source in job_sources():
        part = paths().raw_partition(source, week)
        if (part / "_SUCCESS").exists() and (part / "items.jsonl").exists() and (part / "items.jsonl").stat().st_size:
            out.append(part / "items.jsonl")
    return out


def read_items(path: Path, problems: list[dict] | None = None, schema: dict | None = None) -> pl.LazyFrame:
    """One items.jsonl. A file that does not parse (disk corruption, a
    truncated copy) is read line by line: lines that are not a JSON object
    are quarantined with the reason, the rest of the week proceeds."""
    schema = schema or RAW_POSTING_SCHEMA
    try:
        return pl.read_ndjson(path, schema=schema).lazy()
    except (pl.exceptions.ComputeError, pl.exceptions.PolarsError, ValueError):
        pass
    good = []
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError(f"a JSON {type(obj).__name__}, not an object")
            except ValueError as exc:  # JSONDecodeError and invalid UTF-8 are ValueErrors
                if problems is not None:
                    problems.append({"file": str(path), "line": n, "bytes": len(line),
                                     "reason": f"unreadable raw item: {str(exc)[:200]}"})
                continue
            good.append(line if line.endswith(b"\n") else line + b"\n")
    if not good:
        return pl.LazyFrame(schema=schema)
    return pl.read_ndjson(b"".join(good), schema=schema).lazy()


def read_raw_postings(week: str, problems: list[dict] | None = None) -> pl.LazyFrame:
    """The week's raw items of every job source; unreadable lines go to `problems`."""
    files = raw_item_files(week)
    if not files:
        return pl.LazyFrame(schema=RAW_POSTING_SCHEMA)
    return pl.concat([read_items(f, problems) for f in files], how="vertical")


def clean_postings(raw: pl.LazyFrame, week: str) -> pl.LazyFrame:
    """Typed, cleaned postings, one row per (source, source_id) for the week.

    A source can list a posting twice in one crawl (pagination overlap); the
    copy with the smallest payload hash is kept so reruns choose the same row.
    """
    return (
        raw.filter(pl.col("source_id").is_not_null() & (pl.col("source_id") != ""))
        .with_columns(
            (pl.col("source") + pl.lit(":") + pl.col("source_id")).alias("posting_key"),
            pl.lit(week).alias("week"),
            pl.coalesce(html_to_text(pl.col("description_html")), pl.col("description_text"), pl.lit("")).alias("text"),
            pl.col("title").str.strip_chars(),
            pl.col("company").str.strip_chars(),
            pl.col("date_posted").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
            pl.col("valid_through").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        )
        .sort(["posting_key", "payload_sha256"])
        .unique("posting_key", keep="first", maintain_order=True)
        .select(
            "posting_key", "week", "source", "source_id", "url", "title", "company", "location_raw",
            "remote", "hybrid", "date_posted", "valid_through", "employment_type",
            "salary_raw", "salary_min", "salary_max", "salary_currency", "salary_period",
            "language", "text", "payload_sha256",
        )
    )


def normalize_postings(raw: pl.LazyFrame, week: str, rules: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The normalize + extract stage on raw items (RAW_POSTING_SCHEMA):
    (postings, mentions, experience), the frames normalize_week writes.

    Pure: reads only config; benchmarks/normalize_throughput.py runs it on
    generated batches exactly as normalize_week runs it on a week.
    """
    rules = rules or load_config("extraction")
    # Location first: salary uses the posting's country to read "$" and bare amounts.
    # Collected before occupation coding, which reads the distinct titles in a
    # collect of its own: on a lazy input that collect re-ran HTML cleaning,
    # location and salary (a cache() does not outlive one collect).
    postings = code_occupations(parse_salary(parse_location(clean_postings(raw, week))).collect().lazy()).collect()
    text = postings.lazy().select("posting_key", "text")
    # Lines feed three extractors: materialise them once, numbered with the
    # integer keys the extractors sort and join on, and normalise them once
    # for both dictionary matchers (skills, credentials).
    lines = with_line_ids(to_lines(text, rules).collect())
    snorm = line_norm(lines, load_config(SKILL_RULES))
    creds = credential_mention_frame(lines, text, rules=rules, snorm=snorm).drop("_pid", "_erank")
    skills = skill_mention_frame(lines, text, extraction_rules=rules, norm=snorm).drop("_pid", "_erank")
    lines = lines.lazy()
    mentions = (
        pl.concat(
            [
                creds.lazy(),
                skills.lazy(),
                degree_mentions(lines, text, rules=rules),
            ],
            how="diagonal",
        )
        .with_columns(pl.lit(week).alias("week"))
        .sort(["posting_key", "entity_type", "entity_id", "line_no"])
        .collect()
    )
    experience = experience_years(lines, rules=rules).with_columns(pl.lit(week).alias("week")).sort(["posting_key", "line_no"]).collect()
    return postings, mentions, experience


def _remove_dead_temps(out: Path) -> None:
    """Temp folders of normalize runs that were killed (their pid is gone)."""
    from credwatch.procs import pid_alive

    for d in out.parent.glob(out.name + ".tmp-*"):
        pid = d.name.rsplit("-", 1)[1]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)
    for d in out.parent.glob(out.name + ".old-*"):
        pid = d.name.rsplit("-", 1)[1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)


def normalize_week(week: str) -> dict:
    """Normalize one week end to end; returns counts for logs and summaries."""
    parse_week(week)
    problems: list[dict] = []
    postings, mentions, experience = normalize_postings(read_raw_postings(week, problems), week)
    out = paths().clean_partition(week)
    _remove_dead_temps(out)
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if problems:
        with open(tmp / "quarantine.jsonl", "w", encoding="utf-8") as fh:
            for p in problems:
                fh.write(json.dumps(p) + "\n")
    postings.write_parquet(tmp / "postings.parquet")
    mentions.write_parquet(tmp / "mentions.parquet")
    experience.write_parquet(tmp / "experience.parquet")
    # Catalog offerings (type: catalog sources) and unknown-credential candidates.
    offerings = normalize_offerings(week)
    offerings.write_parquet(tmp / "offerings.parquet")
    candidates = find_candidates(postings.lazy().select("posting_key", "text"), offerings.lazy(), week).collect()
    candidates.write_parquet(tmp / "candidates.parquet")
    counts = {
        "week": week,
        "postings": postings.height,
        "mentions": mentions.height,
        "demand_mentions": int(mentions.filter(pl.col("entity_type") == "credential")["counts_as_demand"].sum() or 0),
        "skill_mentions": int((mentions["entity_type"] == "skill").sum()),
        "degree_mentions": int((mentions["entity_type"] == "degree").sum()),
        "occupation_coded_share": round(float((postings["occupation_method"] != "none").mean() or 0.0), 4),
        "offerings": offerings.height,
        "linked_offerings": int(offerings["credential_id"].is_not_null().sum()),
        "candidate_mentions": candidates.height,
        "postings_by_source": dict(sorted(postings.group_by("source").len().iter_rows())),
        "raw_lines_quarantined": len(problems),
    }
    # Crawl counters per source (stats.json + run record) as data for source_health_weekly.
    source_stats(week, counts["postings_by_source"]).write_parquet(tmp / "source_stats.parquet")
    (tmp / "counts.json").write_text(json.dumps(counts, indent=2, sort_keys=True))
    # Swap the finished partition into place so readers never see half a week.
    if out.exists():
        old = out.with_name(out.name + f".old-{os.getpid()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)
    return counts

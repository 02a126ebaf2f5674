"""Raw layer: the items the job sources sent, as stored in
lake/raw/source=<s>/week=<W>/items.jsonl, for the weeks being published.

Read with Polars, only the columns the expectations need (the HTML body is
reduced to its length), so the frame stays small: one row per scraped item.
"""
from __future__ import annotations

from credwatch.settings import load_config, paths
from credwatch.weeks import parse_week, week_end
from expectations.base import Check, Context, Plan

LAYER = "raw"
# The columns read from items.jsonl (scrapers.items.PostingItem); others are ignored.
_SCHEMA = ("source", "source_id", "url", "title", "description_html", "date_posted", "valid_through", "week", "fetched_at")


def job_sources() -> list[str]:
    return [s["name"] for s in load_config("sources")["sources"] if s.get("type") == "jobs"]


def _description_optional(source: str) -> bool:
    entry = next(s for s in load_config("sources")["sources"] if s["name"] == source)
    optional = list(entry.get("optional_fields") or []) + list((entry.get("snapshot") or {}).get("optional_fields") or [])
    return "description_html" in optional


def read_items(weeks: list[str]):
    """One row per raw item of the committed job-source partitions of `weeks`
    (pandas), plus the partitions found. Partitions without `_SUCCESS` are not
    read: they are not committed, and the run record reports them."""
    import polars as pl

    from transforms.normalize import read_items

    schema = {c: pl.String for c in _SCHEMA}
    frames, parts = [], []
    for source in job_sources():
        for week in weeks:
            part = paths().raw_partition(source, week)
            items = part / "items.jsonl"
            if not (part / "_SUCCESS").exists():
                continue
            parts.append((source, week))
            if not items.exists() or items.stat().st_size == 0:
                continue  # a committed partition with no items: the volume suite fails it
            frames.append(
                # Lines that do not parse were quarantined by normalize (transforms.normalize.read_items).
                read_items(items, None, schema).select(
                    pl.lit(source).alias("partition_source"),
                    pl.lit(week).alias("partition_week"),
                    pl.lit(parse_week(week)).alias("week_start"),
                    pl.lit(week_end(week)).alias("week_end"),
                    *[pl.col(c) for c in _SCHEMA if c != "description_html"],
                    # 0, not null, for a source declaring its payload has no description
                    # (optional_fields, e.g. the list-only Greenhouse replay).
                    (pl.col("description_html").str.len_chars().fill_null(0) if _description_optional(source)
                     else pl.col("description_html").str.len_chars()).alias("description_chars"),
                )
            )
    if not frames:
        return None, parts
    df = pl.concat(frames).with_columns(
        pl.col("date_posted").str.to_date("%Y-%m-%d", strict=False).alias("date_posted_date"),
        pl.col("valid_through").str.to_date("%Y-%m-%d", strict=False).alias("valid_through_date"),
        pl.col("fetched_at").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("fetched_on"),
    ).with_columns(
        (pl.col("week_end") - pl.col("date_posted_date")).dt.total_days().alias("posted_days_before_week_end"),
        # A date the source gave that does not parse is a broken field, not a missing one.
        (pl.col("date_posted").is_null() | pl.col("date_posted_date").is_not_null()).alias("date_posted_parses"),
    ).collect()
    return df.to_pandas(), parts


def plan(ctx: Context) -> Plan:
    from great_expectations import expectations as gxe

    cfg = ctx.q["raw"]
    out = Plan(LAYER)
    df, parts = read_items(ctx.weeks)
    if not parts:
        out.skipped.append(
            f"raw: no committed raw partition of a job source for week(s) {', '.join(ctx.weeks)} "
            f"under {paths().raw}: the clean partitions were built by hand (fixtures); raw checks not run"
        )
        return out
    if df is None:
        out.skipped.append("raw: every committed partition is empty; the volume suite judges empty sources")
        return out
    exp = [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("source", "source_id", "url", "title", "description_chars", "week")]
    exp += [
        gxe.ExpectColumnValuesToBeBetween(column="description_chars", min_value=cfg["min_description_chars"]),
        # An item belongs to the partition it is stored in.
        gxe.ExpectColumnPairValuesToBeEqual(column_A="source", column_B="partition_source"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="week", column_B="partition_week"),
        # One record per listing (id at a URL) per source and week: a duplicated
        # batch shows here first. Not the id alone: real Greenhouse boards of
        # one employer group list the same job id on two boards (e.g.
        # downtownmusicpublishing and songtrust, 2025-W47); that is one posting
        # served at two URLs, which normalize keeps once (source_health `dropped`).
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "week", "source_id", "url"]),
        gxe.ExpectColumnValuesToMatchRegex(column="url", regex=cfg["url_regex"]),
        gxe.ExpectColumnValuesToBeInSet(column="date_posted_parses", value_set=[True]),
        # Crawl window: a posting seen in week W was posted by the end of W and
        # not longer ago than the configured age.
        gxe.ExpectColumnValuesToBeBetween(column="posted_days_before_week_end", min_value=0,
                                          max_value=cfg["max_posting_age_days"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="valid_through_date", column_B="date_posted_date",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        # Fetched during or after the week it is filed under (a backfill fetches later), never before.
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="fetched_on", column_B="week_start",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
    ]
    out.checks.append(Check(LAYER, "raw.items", "raw items.jsonl", df, exp))
    return out


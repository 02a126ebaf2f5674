"""Volume and drift: is this week's data as big and as rich as usual?

- per source and week: postings > 0 (a source that answered with nothing is
  a failure, not a quiet gap) and postings / median of the source's trailing
  weeks within a band;
- per week: the share of postings with a salary, with an occupation code and
  with at least one credential asked for, each within an absolute band and
  within a maximum change from its trailing median.

Counts come from stg_postings (one row per source posting per crawl week)
over every loaded week, so the trailing history is what is already in the
work database. A source the run record (lake/runs/week=<W>/sources.json)
marks as failed is left to partial_week_policy and not judged here.
"""
from __future__ import annotations

from credwatch.orchestration import read_week_record
from credwatch.settings import paths
from credwatch.weeks import shift
from expectations.base import Check, Context, Plan
from expectations.raw import job_sources

LAYER = "volume"


def _trailing(ctx: Context, week: str, n: int) -> list[str]:
    """The loaded weeks among the n weeks before `week`."""
    loaded = set(ctx.all_weeks)
    return [w for w in (shift(week, -k) for k in range(n, 0, -1)) if w in loaded]


def _needed(ctx: Context, n: int) -> list[str]:
    """The validated weeks and their trailing loaded weeks: all the volume checks
    read (a scan of every loaded week grew with the history)."""
    return sorted(set(ctx.weeks) | {w for week in ctx.weeks for w in _trailing(ctx, week, n)})


def _median(values: list[float]) -> float | None:
    import statistics

    return statistics.median(values) if values else None


def _source_volume(ctx: Context, out: Plan) -> None:
    import pandas as pd
    from great_expectations import expectations as gxe

    cfg = ctx.q["volume"]
    n_hist = cfg["trailing_weeks"]
    counts = {(s, w): n for s, w, n in ctx.con.execute(
        "SELECT source, week, count(*) FROM stg_postings WHERE week IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY ALL",
        [_needed(ctx, n_hist)]).fetchall()}
    configured = job_sources()
    rows, young, small = [], {}, {}
    for week in ctx.weeks:
        history = _trailing(ctx, week, n_hist)
        rec = read_week_record(week)
        failed = set(rec["failed_sources"]) if rec else set()
        # Expected: sources with a committed raw partition this week, or with
        # postings this week or in its trailing weeks.
        expected = {s for s in configured if (paths().raw_partition(s, week) / "_SUCCESS").exists()}
        expected |= {s for (s, w) in counts if w == week or w in history}
        for s in sorted(expected):
            if s in failed:
                out.skipped.append(f"volume: source {s} in week {week} failed its crawl (run record); "
                                   "partial_week_policy decides whether the week publishes")
                continue
            past = [counts[(s, w)] for w in history if counts.get((s, w), 0) > 0]
            median = _median(past)
            n = counts.get((s, week), 0)
            band = len(past) >= cfg["min_history_weeks"] and median >= cfg["source_band"]["min_median"]
            rows.append({"source": s, "week": week, "postings": n, "history_weeks": len(past),
                         "trailing_median": median, "ratio_to_trailing_median": (n / median) if band else None})
            if len(past) < cfg["min_history_weeks"]:
                young.setdefault(s, []).append(week)
            elif not band:
                small.setdefault(s, []).append(week)
    for s, ws in young.items():
        out.skipped.append(f"volume: band of source {s} not checked in week(s) {', '.join(ws)}: fewer than "
                           f"min_history_weeks ({cfg['min_history_weeks']}) trailing weeks with postings")
    for s, ws in small.items():
        out.skipped.append(f"volume: band of source {s} not checked in week(s) {', '.join(ws)}: trailing median below "
                           f"source_band.min_median ({cfg['source_band']['min_median']} postings); only 'not zero' applies")
    if not rows:
        out.failures.append(f"volume: no job source has postings in week(s) {', '.join(ctx.weeks)}: nothing was crawled")
        return
    df = pd.DataFrame(rows)
    out.checks.append(Check(LAYER, "volume.source_postings", "stg_postings (postings per source and week)", df, [
        gxe.ExpectColumnValuesToBeBetween(column="postings", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="ratio_to_trailing_median", min_value=cfg["source_band"]["min_ratio"],
                                          max_value=cfg["source_band"]["max_ratio"]),
    ]))


def _coverage(ctx: Context, out: Plan) -> None:
    import pandas as pd
    from great_expectations import expectations as gxe

    cfg = ctx.q["volume"]
    cols = ctx.columns["stg_postings"]
    exprs = {}
    if "salary_mid_usd" in cols:
        exprs["salary_share"] = "avg((p.salary_mid_usd IS NOT NULL)::INT)"
    if "soc_code" in cols:
        exprs["occupation_share"] = "avg((p.soc_code IS NOT NULL)::INT)"
    demand = ""
    if ctx.has("int_credential_mentions", "counts_as_demand"):
        exprs["credential_share"] = "avg((d.posting_key IS NOT NULL)::INT)"
        demand = ("LEFT JOIN (SELECT DISTINCT week, posting_key FROM int_credential_mentions WHERE counts_as_demand "
                  "AND week IN (SELECT unnest(CAST($weeks AS VARCHAR[])))) d "
                  "ON d.week = p.week AND d.posting_key = p.posting_key")
    bands = {k: v for k, v in cfg["shares"].items() if k in exprs}
    if not bands:
        return
    sel = ", ".join(f"{e} AS {k}" for k, e in exprs.items() if k in bands)
    per_week = ctx.df(f"SELECT p.week, count(*) AS postings, {sel} FROM stg_postings p {demand} "
                      "WHERE p.week IN (SELECT unnest(CAST($weeks AS VARCHAR[]))) GROUP BY p.week ORDER BY p.week",
                      {"weeks": _needed(ctx, cfg["trailing_weeks"])})
    by_week = {r["week"]: r for r in per_week.to_dict("records")}
    min_n = ctx.q["min_postings_for_rates"]
    rows = []
    for week in ctx.weeks:
        r = by_week.get(week)
        if r is None:
            continue
        if r["postings"] < min_n:
            out.skipped.append(f"volume: shares of week {week} not checked: {r['postings']} postings < min_postings_for_rates ({min_n})")
            continue
        hist = [by_week[w] for w in _trailing(ctx, week, cfg["trailing_weeks"]) if w in by_week and by_week[w]["postings"] >= min_n]
        row = {"week": week, "postings": r["postings"], "history_weeks": len(hist)}
        for k in bands:
            row[k] = r[k]
            med = _median([h[k] for h in hist]) if len(hist) >= cfg["min_history_weeks"] else None
            row[f"{k}_change_pp"] = None if med is None else round(100 * (r[k] - med), 3)
        rows.append(row)
    if not rows:
        return
    df = pd.DataFrame(rows)
    exp = []
    for k, band in bands.items():
        exp.append(gxe.ExpectColumnValuesToBeBetween(column=k, min_value=band["min"], max_value=band["max"]))
        exp.append(gxe.ExpectColumnValuesToBeBetween(column=f"{k}_change_pp", min_value=-band["max_change_pp"],
                                                     max_value=band["max_change_pp"]))
    out.checks.append(Check(LAYER, "volume.shares", "stg_postings (shares per week)", df, exp))


def plan(ctx: Context) -> Plan:
    out = Plan(LAYER)
    if "stg_postings" not in ctx.columns:
        return out  # the staging suite reports the missing table
    _source_volume(ctx, out)
    _coverage(ctx, out)
    return out

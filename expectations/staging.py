"""Staging and intermediate layers: stg_postings and the int_* tables of the
weeks being published, read from the work database (only the columns the
expectations need), plus each posting's text length from the clean partition
(lake/clean/week=<W>/postings.parquet) to check mention offsets.

Only tables and columns that exist are checked, so the suite follows the
models as they gain columns.
"""
from __future__ import annotations

from credwatch.settings import paths
from expectations.base import Check, Context, Plan, add_grain_checks, quote
from expectations.raw import job_sources

LAYER = "staging"


def registry_ids() -> list[str]:
    """Every id of the credential registry (config/credentials*), degrees included."""
    from transforms.registry import load_registry

    return sorted(load_registry())


def _postings_checks(ctx: Context, out: Plan) -> None:
    from great_expectations import expectations as gxe

    cfg = ctx.q["staging"]
    cols = ctx.columns["stg_postings"]
    wanted = [c for c in ("week", "posting_key", "source", "source_id", "occupation_method", "occupation_confidence",
                          "work_mode", "salary_source", "salary_period_detected", "salary_currency", "soc_code",
                          "soc_major", "country", "salary_min_annual", "salary_max_annual", "salary_mid_annual",
                          "salary_mid_usd") if c in cols]
    where, params = ctx.week_filter("stg_postings")
    df = ctx.df(
        f"SELECT {', '.join(quote(c) for c in wanted)}, posting_key = source || ':' || source_id AS posting_key_is_source_id "
        f"FROM stg_postings {where}", params)
    exp = [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("week", "posting_key", "source", "source_id")]
    exp += [
        gxe.ExpectColumnValuesToMatchRegex(column="week", regex=r"^\d{4}-W\d{2}$"),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=job_sources()),
        gxe.ExpectColumnValuesToBeInSet(column="posting_key_is_source_id", value_set=[True]),
    ]
    for col, values in cfg["enums"].items():
        if col in cols:
            exp.append(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=values))
    for col, regex in cfg["formats"].items():
        if col in cols:
            exp.append(gxe.ExpectColumnValuesToMatchRegex(column=col, regex=regex))
    if "occupation_confidence" in cols:
        exp.append(gxe.ExpectColumnValuesToBeBetween(column="occupation_confidence", min_value=0, max_value=1))
    for col in ("salary_min_annual", "salary_mid_annual", "salary_max_annual", "salary_mid_usd"):
        if col in cols:
            exp.append(gxe.ExpectColumnValuesToBeOfType(column=col, type_="float64"))
    if {"salary_min_annual", "salary_max_annual"} <= set(cols):
        exp.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="salary_max_annual", column_B="salary_min_annual", or_equal=True, ignore_row_if="either_value_is_missing"))
    # Plausible annual pay per currency, in that currency (a cents or a
    # monthly-as-annual bug lands far outside); currencies without bounds are
    # judged on the USD-converted midpoint.
    bounds = cfg["salary_annual_bounds"]
    if {"salary_currency", "salary_min_annual", "salary_max_annual"} <= set(cols):
        for cur, (lo, hi) in sorted(bounds["per_currency"].items()):
            cond = f'salary_currency=="{cur}"'
            for col in ("salary_min_annual", "salary_max_annual"):
                exp.append(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=lo, max_value=hi,
                                                             row_condition=cond, condition_parser="pandas"))
    if "salary_mid_usd" in cols:
        lo, hi = bounds["usd"]
        exp.append(gxe.ExpectColumnValuesToBeBetween(column="salary_mid_usd", min_value=lo, max_value=hi))
    out.checks.append(Check(LAYER, "staging.stg_postings", "stg_postings", df, exp))

    # Occupation coverage per week, above a floor: a broken title coder shows here.
    if "soc_code" in cols:
        cov = ctx.df(
            f"SELECT week, count(*) AS postings, avg((soc_code IS NOT NULL)::INT) AS occupation_coverage "
            f"FROM stg_postings {where} GROUP BY week ORDER BY week", params)
        small = cov[cov["postings"] < ctx.q["min_postings_for_rates"]]
        for w, n in zip(small["week"], small["postings"]):
            out.skipped.append(f"staging: occupation coverage of week {w} not checked: {n} postings < "
                               f"min_postings_for_rates ({ctx.q['min_postings_for_rates']})")
        cov = cov[cov["postings"] >= ctx.q["min_postings_for_rates"]].reset_index(drop=True)
        if len(cov):
            out.checks.append(Check(LAYER, "staging.occupation_coverage", "stg_postings (occupation coverage per week)", cov, [
                gxe.ExpectColumnValuesToBeBetween(column="occupation_coverage", min_value=cfg["min_occupation_coverage"], max_value=1),
            ]))


def _credential_mention_checks(ctx: Context, out: Plan) -> None:
    from great_expectations import expectations as gxe

    cols = ctx.columns["int_credential_mentions"]
    where, params = ctx.week_filter("int_credential_mentions")
    wanted = [c for c in ("week", "posting_key", "credential_id", "section", "strength", "counts_as_demand", "rule") if c in cols]
    df = ctx.df(f"SELECT {', '.join(quote(c) for c in wanted)} FROM int_credential_mentions {where}", params)
    exp = [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in wanted]
    exp.append(gxe.ExpectColumnValuesToBeInSet(column="credential_id", value_set=registry_ids()))
    if "strength" in cols:
        exp.append(gxe.ExpectColumnValuesToBeInSet(column="strength", value_set=ctx.q["staging"]["mention_strengths"]))
    if {"strength", "counts_as_demand"} <= set(cols):
        df["demand_has_strength"] = ~(df["counts_as_demand"].astype(bool) & (df["strength"] == "none"))
        exp.append(gxe.ExpectColumnValuesToBeInSet(column="demand_has_strength", value_set=[True]))
    out.checks.append(Check(LAYER, "intermediate.int_credential_mentions", "int_credential_mentions", df, exp))


def _offset_checks(ctx: Context, out: Plan) -> None:
    """Every int_* table with line offsets: the line exists in its posting's
    text, the offset lies inside it, and the posting is in stg_postings."""
    from great_expectations import expectations as gxe

    parts = [paths().clean_partition(w) / "postings.parquet" for w in ctx.weeks]
    missing = [str(p) for p in parts if not p.exists()]
    if missing:
        out.failures.append(f"clean partition(s) {missing} are missing although their weeks are loaded; "
                            f"rerun `credwatch normalize --week <W>` for them, then load")
        return
    texts = ("(SELECT week, posting_key, length(coalesce(text, '')) AS text_chars, "
             "len(string_split(coalesce(text, ''), chr(10))) AS text_lines "
             f"FROM read_parquet([{', '.join(repr(str(p)) for p in parts)}], union_by_name = true))")
    for name in sorted(ctx.columns):
        if not (name.startswith("int_") and ctx.has(name, "week", "posting_key", "line_no", "line_start")):
            continue
        where, params = ctx.week_filter(name)
        surface = "length(m.surface)" if "surface" in ctx.columns[name] else "0"
        df = ctx.df(
            f"""SELECT m.week, m.posting_key, m.line_no, m.line_start, m.line_start + {surface} AS mention_end,
                       t.text_chars, t.text_lines, t.posting_key IS NOT NULL AS posting_in_text,
                       m.posting_key IN (SELECT posting_key FROM stg_postings s WHERE s.week = m.week) AS posting_in_stg
                FROM (SELECT * FROM {quote(name)} {where}) m
                LEFT JOIN {texts} t ON t.week = m.week AND t.posting_key = m.posting_key""",
            params,
        )
        out.checks.append(Check(LAYER, f"intermediate.offsets.{name}", f"{name} (offsets vs posting text)", df, [
            gxe.ExpectColumnValuesToBeInSet(column="posting_in_stg", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="posting_in_text", value_set=[True]),
            gxe.ExpectColumnValuesToBeBetween(column="line_no", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="line_start", min_value=0),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="text_lines", column_B="line_no", or_equal=False,
                                                        ignore_row_if="either_value_is_missing"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="text_chars", column_B="mention_end", or_equal=True,
                                                        ignore_row_if="either_value_is_missing"),
        ]))


def plan(ctx: Context) -> Plan:
    out = Plan(LAYER)
    for layer in ("staging", "intermediate"):
        add_grain_checks(ctx, out, layer)
    if "stg_postings" not in ctx.columns:
        out.failures.append("table stg_postings does not exist in the work database: run `credwatch load` first")
        return out
    _postings_checks(ctx, out)
    if ctx.has("int_credential_mentions", "credential_id"):
        _credential_mention_checks(ctx, out)
    _offset_checks(ctx, out)
    return out

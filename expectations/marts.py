"""Mart layer, generic over the tables that exist: every table whose DDL
header says `layer: mart` gets

- grain uniqueness from its header key;
- every column named `*_share` in [0, 1];
- every column named `*_postings` >= 0 (and active >= mentioning);
- `credential_id` in dim_credential;
- `demand_index` = 100 at the configured baseline week (where not null);
- no gaps in `week` between its first and last week;
- `suppressed` rows have their configured value columns null, and rows
  under the minimum sample are flagged suppressed.

Rows are read for the weeks being published; week sequences are computed
over the whole table (a gap anywhere breaks every trend line).
"""
from __future__ import annotations

from credwatch.settings import load_config
from credwatch.weeks import week_range
from expectations.base import Check, Context, Plan, add_grain_checks, quote

LAYER = "mart"
INDEX_TOLERANCE = 1e-6


def baseline_week(ctx: Context) -> tuple[str | None, str]:
    """The demand index's baseline week, as the load computes it from
    config/marts.yml `index_baseline_week` ('first' = the first loaded week),
    and where it came from."""
    from warehouse.load import baseline_week as load_baseline

    value = str(load_config("marts").get("index_baseline_week", "first"))
    return (load_baseline(ctx.all_weeks) or None), f"config/marts.yml index_baseline_week = {value}"


def _value_columns(ctx: Context, table: str) -> list[str]:
    import re

    cfg = ctx.q["marts"]["suppression"]
    cols = ctx.columns[table]
    named = [c for c in cfg["value_columns"] if c in cols]
    pattern = cfg.get("value_column_pattern")
    if pattern:
        named += [c for c in cols if re.search(pattern, c) and c not in named and c != "suppressed"]
    return named


def _table_checks(ctx: Context, out: Plan, name: str, known: list[str]) -> None:
    from great_expectations import expectations as gxe

    cols = ctx.columns[name]
    where, params = ctx.week_filter(name)
    df = ctx.df(f"SELECT * FROM {quote(name)} {where}", params)
    exp = []
    if "week" in cols:
        exp.append(gxe.ExpectColumnValuesToMatchRegex(column="week", regex=r"^\d{4}-W\d{2}$"))
    for c in cols:
        if c.endswith("_share"):
            exp.append(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1))
        if c.endswith("_postings"):
            exp.append(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
    if {"active_postings", "mentioning_postings"} <= set(cols):
        exp.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="active_postings", column_B="mentioning_postings", or_equal=True))
    if "credential_id" in cols and name != "dim_credential" and known:
        exp.append(gxe.ExpectColumnValuesToBeInSet(column="credential_id", value_set=known))
    specific = ctx.q["marts"].get(name) or {}
    if "min_active_postings" in specific and "active_postings" in cols:
        exp.append(gxe.ExpectColumnValuesToBeBetween(column="active_postings", min_value=specific["min_active_postings"]))
    if exp:
        out.checks.append(Check(LAYER, f"mart.{name}", name, df, exp))

    if "demand_index" in cols:
        base, origin = baseline_week(ctx)
        if base is None:
            out.skipped.append(f"mart {name}: demand_index = 100 at the baseline not checked: no baseline week in "
                               "config/marts.yml index_baseline_week")
        elif base not in ctx.all_weeks:
            out.skipped.append(f"mart {name}: demand_index = 100 not checked: baseline week {base} ({origin}) is not loaded")
        else:
            at = ctx.df(f"SELECT * FROM {quote(name)} WHERE week = ? AND demand_index IS NOT NULL", [base])
            # Rows of the baseline week with a positive trailing share must carry the index;
            # a table with none (no demand in the baseline week) has nothing to anchor.
            anchored = ("demand_share_4wk" not in cols or ctx.con.execute(
                f"SELECT count(*) FROM {quote(name)} WHERE week = ? AND demand_share_4wk > 0", [base]).fetchone()[0] > 0)
            if at.empty and not anchored:
                out.skipped.append(f"mart {name}: demand_index = 100 not checked: no row of the baseline week {base} has demand")
            elif at.empty:
                out.failures.append(f"table {name}, column demand_index: no row of the baseline week {base} ({origin}) "
                                    "has an index; the index is not anchored at its baseline")
            else:
                out.checks.append(Check(LAYER, f"mart.{name}.demand_index_baseline", f"{name} (baseline week {base})", at, [
                    gxe.ExpectColumnValuesToBeBetween(column="demand_index", min_value=100 - INDEX_TOLERANCE,
                                                      max_value=100 + INDEX_TOLERANCE),
                ]))

    if "suppressed" in cols:
        sup = ctx.q["marts"]["suppression"]
        values = _value_columns(ctx, name)
        exp = []
        if values:
            exp += [gxe.ExpectColumnValuesToBeNull(column=c, row_condition="suppressed==True", condition_parser="pandas")
                    for c in values]
        else:
            out.skipped.append(f"mart {name}: has `suppressed` but none of the value columns of config/quality.yml "
                               f"marts.suppression.value_columns {sup['value_columns']}; add this table's to check them")
        counts = [c for c in sup["count_columns"] if c in cols]
        if counts:
            # Suppressed exactly when either side is below the marts' minimum n
            # (config/marts.yml premium_min_n, the number the build uses).
            min_n = int(load_config("marts").get("premium_min_n", sup.get("min_n", 30)))
            df["below_min_n"] = (df[counts].fillna(0) < min_n).any(axis=1)
            df["suppressed_flag"] = df["suppressed"].fillna(False).astype(bool)
            exp.append(gxe.ExpectColumnPairValuesToBeEqual(column_A="below_min_n", column_B="suppressed_flag"))
        if exp:
            out.checks.append(Check(LAYER, f"mart.{name}.suppression", f"{name} (suppressed cells)", df, exp))


def _week_sequence_check(ctx: Context, out: Plan, name: str) -> None:
    from great_expectations import expectations as gxe
    import pandas as pd

    present = [r[0] for r in ctx.con.execute(f"SELECT DISTINCT week FROM {quote(name)} ORDER BY 1").fetchall()]
    if len(present) < 2:
        return
    expected = pd.DataFrame({"week": week_range(present[0], present[-1])})
    out.checks.append(Check(LAYER, f"mart.{name}.week_sequence", f"{name} (ISO weeks {present[0]}..{present[-1]})", expected, [
        # The expected sequence's weeks must all be present: unexpected = missing weeks.
        gxe.ExpectColumnValuesToBeInSet(column="week", value_set=present),
    ]))


def plan(ctx: Context) -> Plan:
    out = Plan(LAYER)
    add_grain_checks(ctx, out)
    marts = [n for n, t in sorted(ctx.models.items()) if t.layer == LAYER and n in ctx.columns]
    known = ([r[0] for r in ctx.con.execute("SELECT credential_id FROM dim_credential").fetchall()]
             if ctx.has("dim_credential", "credential_id") else [])
    for name in ctx.q["marts"]["required_nonempty"]:
        if name in ctx.columns:
            where, params = ctx.week_filter(name)
            if ctx.con.execute(f"SELECT count(*) FROM {quote(name)} {where}", params).fetchone()[0] == 0:
                out.failures.append(f"table {name} is empty for week(s) {', '.join(ctx.weeks)}: nothing was built; "
                                    "check the scrape and load logs")
    for name in marts:
        _table_checks(ctx, out, name, known)
    # The published calendar (dim_week) must have no gaps: a missing week breaks
    # every trend, WoW change and trailing mean. Other week-keyed marts may skip
    # a week legitimately (no cell above a minimum), so only dim_week is checked;
    # required_nonempty tables must have rows in every week being published.
    if "dim_week" in ctx.columns:
        if ctx.q["marts"].get("allow_week_gaps", False):
            out.skipped.append("dim_week: week sequence not checked (config/quality.yml marts.allow_week_gaps = true)")
        else:
            _week_sequence_check(ctx, out, "dim_week")
    cdw = ctx.q["marts"].get("credential_demand_weekly") or {}
    if ctx.has("credential_demand_weekly", "credential_id", "mentioning_postings") and "min_credentials_with_demand" in cdw:
        where, params = ctx.week_filter("credential_demand_weekly")
        extra = "AND" if where else "WHERE"
        n = ctx.con.execute(f"SELECT count(DISTINCT credential_id) FROM credential_demand_weekly {where} "
                            f"{extra} mentioning_postings > 0", params).fetchone()[0]
        if n < cdw["min_credentials_with_demand"]:
            out.failures.append(
                f"table credential_demand_weekly, column credential_id: only {n} credentials have demand "
                f"(config/quality.yml min_credentials_with_demand = {cdw['min_credentials_with_demand']}); "
                "extraction or the crawl is broken")
    return out

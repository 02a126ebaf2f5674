"""credential_value_weekly for one week: salary premium of postings requiring a
credential over postings not asking for it, per SOC major group x region and
pooled (ALL) rows, with a seeded bootstrap interval (warehouse/premium.py).

Per affected week (SCOPE "mart"): deletes the week's rows and inserts them
again, so a rerun gives identical contents.
"""
from __future__ import annotations

import polars as pl

from warehouse import premium

SCOPE = "mart"

SCHEMA = {
    "week": pl.String, "credential_id": pl.String, "soc_major": pl.String, "region": pl.String,
    "estimator": pl.String, "required_postings": pl.Int64, "n_required": pl.Int64, "n_not_mentioning": pl.Int64,
    "cells_used": pl.Int64, "median_salary_required_usd": pl.Float64, "median_salary_not_mentioning_usd": pl.Float64,
    "premium_pct": pl.Float64, "premium_ci_low_pct": pl.Float64, "premium_ci_high_pct": pl.Float64,
    "suppressed": pl.Boolean, "suppressed_reason": pl.String,
}


def rows(con, week: str, s: premium.Settings) -> pl.DataFrame:
    postings, asks = premium.population(con, [week])
    out = []
    for key, e in premium.credential_estimates(postings, asks, s, seed_parts=("value", week)):
        out.append({
            "week": week, **key, "n_required": e.n_required, "n_not_mentioning": e.n_reference,
            "cells_used": e.cells_used, "median_salary_required_usd": e.median_required,
            "median_salary_not_mentioning_usd": e.median_reference, "premium_pct": e.premium_pct,
            "premium_ci_low_pct": e.ci_low_pct, "premium_ci_high_pct": e.ci_high_pct,
            "suppressed": e.suppressed, "suppressed_reason": e.suppressed_reason,
        })
    return pl.DataFrame(out, schema=SCHEMA).sort("credential_id", "soc_major", "region")


def build(con, params: dict) -> None:
    week = params["week"]
    df = rows(con, week, premium.settings())
    con.execute("DELETE FROM credential_value_weekly WHERE week = ?", [week])
    if df.height:
        con.register("_credential_value_rows", df.to_arrow())
        con.execute("INSERT INTO credential_value_weekly SELECT * FROM _credential_value_rows")
        con.unregister("_credential_value_rows")

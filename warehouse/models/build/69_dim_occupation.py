"""dim_occupation: one row per O*NET-SOC occupation, rebuilt on every refresh.

Input: config/taxonomies/onet/occupations.csv (code, title, SOC major group)
and education_ba_plus.csv (share of respondents saying a new hire needs a
bachelor's or higher; see config/taxonomies/onet/README.md for what it
measures and how missing occupations are imputed). Output: dim_occupation,
whole table, ordered by soc_code; occupations without education data keep a
row with null share_ba_plus.
"""
from __future__ import annotations

import polars as pl

from credwatch.settings import paths

SCOPE = "global"
COLUMNS = ["soc_code", "title", "soc_major", "soc_major_title", "share_ba_plus", "share_ba_plus_basis",
           "share_ba_plus_imputed_from", "education_domain_source", "source_version"]


def _read(name: str, schema: dict) -> pl.DataFrame:
    path = paths().config / "taxonomies" / "onet" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore it from git or rebuild it with "
                                "`python -m transforms.occupation build --onet <O*NET 29.3 folder>`")
    df = pl.read_csv(path, schema_overrides=schema, infer_schema=False)
    missing = sorted(set(schema) - set(df.columns))
    if missing:
        raise ValueError(f"{path} lacks column(s) {missing}; see config/taxonomies/onet/README.md for its columns")
    return df


def occupations_frame() -> pl.DataFrame:
    occ = _read("occupations.csv", {"soc_code": pl.String, "soc_title": pl.String, "soc_major": pl.String,
                                    "soc_major_title": pl.String, "source_version": pl.String})
    edu = _read("education_ba_plus.csv", {"soc_code": pl.String, "share_ba_plus": pl.Float64, "basis": pl.String,
                                          "imputed_from": pl.String, "domain_source": pl.String})
    dupes = occ.filter(pl.col("soc_code").is_duplicated())["soc_code"].unique().sort().to_list()
    if dupes:
        raise ValueError(f"config/taxonomies/onet/occupations.csv repeats soc_code(s) {dupes[:5]}; one row per occupation")
    return (
        occ.join(edu.select("soc_code", "share_ba_plus", "basis", "imputed_from", "domain_source"), on="soc_code", how="left")
        .select(
            "soc_code",
            pl.col("soc_title").alias("title"),
            "soc_major",
            "soc_major_title",
            "share_ba_plus",
            pl.col("basis").alias("share_ba_plus_basis"),
            pl.col("imputed_from").alias("share_ba_plus_imputed_from"),
            pl.col("domain_source").alias("education_domain_source"),
            "source_version",
        )
        .sort("soc_code")
    )


def build(con, params: dict) -> None:
    df = occupations_frame()
    con.register("_dim_occupation_rows", df)
    try:
        con.execute("DELETE FROM dim_occupation")
        con.execute(f"INSERT INTO dim_occupation SELECT {', '.join(COLUMNS)} FROM _dim_occupation_rows ORDER BY soc_code")
    finally:
        con.unregister("_dim_occupation_rows")

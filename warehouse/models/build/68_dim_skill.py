"""dim_skill: one row per skill of the taxonomy, rebuilt on every refresh.

Input: config/taxonomies/skills.csv.gz (one row per alias, read through
transforms.skills so the extractor and the dimension agree on what a skill
is and which aliases are matched), config/taxonomies/skills_rules.yml
(version) and config/marts.yml `skill_sources` (type, taxonomy name and
licence per source). Output: dim_skill, whole table, ordered by skill_id.
"""
from __future__ import annotations

import polars as pl

from credwatch.settings import load_config
from transforms.skills import RULES, load_dictionary

SCOPE = "global"
COLUMNS = ["skill_id", "name", "type", "source", "source_taxonomy", "hot_technology", "esco_uri", "aliases",
           "matched_aliases", "licence", "taxonomy_version"]


def skills_frame() -> pl.DataFrame:
    sources = load_config("marts").get("skill_sources") or {}
    every = load_dictionary(plain=True)
    unknown = sorted(set(every["source"].unique().to_list()) - set(sources))
    if unknown:
        raise ValueError(f"config/taxonomies/skills.csv.gz has skill source(s) {unknown} that config/marts.yml "
                         "skill_sources does not describe; add each with its taxonomy, type and licence")
    for name, entry in sources.items():
        missing = [k for k in ("taxonomy", "type", "licence") if not (entry or {}).get(k)]
        if missing:
            raise ValueError(f"config/marts.yml skill_sources.{name} lacks {missing}")
    meta = pl.DataFrame(
        [{"source": k, "source_taxonomy": v["taxonomy"], "source_type": v["type"], "licence": v["licence"]}
         for k, v in sources.items()],
        schema={"source": pl.String, "source_taxonomy": pl.String, "source_type": pl.String, "licence": pl.String},
    )
    matched = load_dictionary().group_by("skill_id").agg(pl.len().cast(pl.Int64).alias("matched_aliases"))
    version = str(load_config(RULES).get("version", ""))
    # A skill's name, source, flag and URI are the same on all its alias rows (one skill, one source).
    return (
        every.group_by("skill_id")
        .agg(pl.col("skill_name").min().alias("name"), pl.col("source").min(), pl.col("hot_technology").max(),
             pl.col("esco_uri").drop_nulls().min(), pl.len().cast(pl.Int64).alias("aliases"))
        .join(meta, on="source", how="left")
        .join(matched, on="skill_id", how="left")
        .with_columns(
            pl.when(pl.col("source").eq("onet_technology_skills") & pl.col("skill_id").str.starts_with("commodity-"))
            .then(pl.lit("technology_category")).otherwise(pl.col("source_type")).alias("type"),
            pl.col("matched_aliases").fill_null(0),
            pl.lit(version).alias("taxonomy_version"),
        )
        .select(COLUMNS)
        .sort("skill_id")
    )


def build(con, params: dict) -> None:
    df = skills_frame()
    con.register("_dim_skill_rows", df)
    try:
        con.execute("DELETE FROM dim_skill")
        con.execute(f"INSERT INTO dim_skill SELECT {', '.join(COLUMNS)} FROM _dim_skill_rows ORDER BY skill_id")
    finally:
        con.unregister("_dim_skill_rows")

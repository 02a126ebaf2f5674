"""Credential mentions: dictionary pass + rules, all Polars expressions.

Dictionary pass: every registry surface form is normalised and space-padded
(transforms.registry.normalise); each line of cleaned text is normalised the
same way and scanned with Aho-Corasick (`str.extract_many`, overlapping), so
only whole-word matches occur. Overlapping matches of one credential on one
line ("CompTIA Security+" and "Security+") collapse to one mention, the
longest surface form winning.

Rules, judged per line (config/extraction.yml):
- context: an ambiguous alias (CNA, CSM, CPA, ...) counts only when the
  posting contains one of the alias's context words;
- section: only mentions in demand sections count as demand;
- perk / negation: "we pay for your PMP" or "CISSP not required" is not demand;
- strength: or_equivalent > preferred > required, from the line and section.

Degree levels (registry type `degree`) are not credential demand: the alias
table leaves them out (transforms.registry.alias_table).

A match inside a longer match of another credential on the same line is
dropped ("CCNP" in "CCNP Security", "Certified Scrum Master" in "GAQM
Certified Scrum Master"): the longer name is the credential meant.

Output grain: one row per (posting_key, credential_id, line_no).
"""
from __future__ import annotations

import polars as pl

from credwatch.settings import load_config, paths
from transforms.registry import FAST_NORMALISE_PATTERN, alias_table, load_registry, registry_files

MENTION_SCHEMA = {
    "posting_key": pl.String,
    "entity_type": pl.String,
    "entity_id": pl.String,
    "surface": pl.String,
    "line_no": pl.Int64,
    "line_start": pl.Int64,
    "section": pl.String,
    "strength": pl.String,
    "counts_as_demand": pl.Boolean,
    "rule": pl.String,
}


def mention_columns(entity_type: str, entity_id: str | pl.Expr, surface: str | pl.Expr, *extra: str | pl.Expr) -> list:
    """The MENTION_SCHEMA projection every extractor ends with (then `extra` columns)."""
    as_expr = lambda e: pl.col(e) if isinstance(e, str) else e  # noqa: E731
    return [
        "posting_key",
        pl.lit(entity_type).alias("entity_type"),
        as_expr(entity_id).alias("entity_id"),
        as_expr(surface).alias("surface"),
        pl.col("line_no").cast(pl.Int64),
        pl.col("line_start").cast(pl.Int64),
        "section",
        "strength",
        "counts_as_demand",
        "rule",
        *extra,
    ]


def normalised(expr: pl.Expr) -> pl.Expr:
    """Polars twin of transforms.registry.normalise (NORMALISE_PATTERN, in its faster equivalent form)."""
    return pl.lit(" ") + expr.str.to_lowercase().str.replace_all(FAST_NORMALISE_PATTERN, " ") + pl.lit(" ")


def alias_frame(registry=None) -> pl.DataFrame:
    rows = alias_table(registry or load_registry())
    return pl.DataFrame(
        rows, schema={"pattern": pl.String, "credential_id": pl.String, "surface": pl.String, "context_any": pl.List(pl.String)}
    ).unique(["pattern", "credential_id"], keep="first", maintain_order=True)


def mention_rule(rules: dict, context_ok: pl.Expr) -> pl.Expr:
    """The rule that decides a mention's fate, from its `line` and `section`
    (config/extraction.yml; the first that applies wins). Shared by every
    mention extractor (credentials here, skills in transforms.skills)."""
    line_lc = pl.col("line").str.to_lowercase()
    return (
        pl.when(~context_ok).then(pl.lit("ambiguous_no_context"))
        .when(pl.col("section") == "benefits").then(pl.lit("benefits_section"))
        .when(line_lc.str.contains(rules["perk_pattern"])).then(pl.lit("perk_phrase"))
        .when(line_lc.str.contains(rules["negation_pattern"])).then(pl.lit("negated"))
        .when(~pl.col("section").is_in(rules["demand_sections"])).then(pl.lit("non_demand_section"))
        .when(line_lc.str.contains(rules["or_equivalent_pattern"])).then(pl.lit("or_equivalent_phrase"))
        .when(pl.col("section") == "preferred").then(pl.lit("preferred_section"))
        .when(line_lc.str.contains(rules["preferred_pattern"])).then(pl.lit("preferred_phrase"))
        .otherwise(pl.lit("dictionary"))
    )


def strength_of_rule(rule: pl.Expr) -> pl.Expr:
    """Requirement strength of a mention from its rule: or_equivalent, preferred,
    required, or none (not demand)."""
    return (
        pl.when(rule == "or_equivalent_phrase").then(pl.lit("or_equivalent"))
        .when(rule.is_in(["preferred_section", "preferred_phrase"])).then(pl.lit("preferred"))
        .when(rule == "dictionary").then(pl.lit("required"))
        .otherwise(pl.lit("none"))
    )


def drop_contained(hits: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Hits (keys…, pattern, credential_id) without those whose pattern lies inside a
    longer pattern of another credential matched in the same unit (line, title)."""
    pairs = (
        hits.select(*keys, "pattern", "credential_id")
        .join(hits.select(*keys, pl.col("pattern").alias("longer"), pl.col("credential_id").alias("other")), on=keys)
        .filter(
            (pl.col("other") != pl.col("credential_id"))
            & (pl.col("longer").str.len_chars() > pl.col("pattern").str.len_chars())
            & pl.col("longer").str.contains(pl.col("pattern"), literal=True)
        )
        .select(*keys, "pattern", "credential_id")
        .unique()
    )
    return hits.join(pairs, on=[*keys, "pattern", "credential_id"], how="anti")


_ALIAS_CACHE: dict[tuple, tuple[pl.DataFrame, list[str]]] = {}


def _registry_aliases(registry) -> tuple[pl.DataFrame, list[str]]:
    """(alias_frame with _crank, the rank of credential_id, and _plen, the
    pattern's length; the distinct patterns), cached per process for the
    registry files' versions when no registry is passed."""
    if registry is not None:
        return _alias_table(alias_frame(registry))
    folder = paths().config
    files = [folder / f"{n}.yml" for n in registry_files()]
    key = tuple((str(f), f.stat().st_mtime if f.exists() else None) for f in files)
    hit = _ALIAS_CACHE.get(key)
    if hit is None:
        if len(_ALIAS_CACHE) >= 4:
            _ALIAS_CACHE.clear()
        hit = _ALIAS_CACHE[key] = _alias_table(alias_frame(None))
    return hit


def _alias_table(aliases: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    patterns = aliases["pattern"].unique(maintain_order=True).to_list()
    table = aliases.with_columns(
        pl.col("credential_id").rank("dense").alias("_crank"),
        pl.col("pattern").str.len_chars().alias("_plen"),
    )
    return table, patterns


def credential_norms(lines: pl.DataFrame, snorm: pl.Series | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines' normalised text for the credential matcher, as two frames
    (_lid, _n): lines where `snorm` (transforms.skills line_norm) can stand in
    for it, and lines that need their own (all lines when snorm is None).

    The skill normalisation differs from the credential one only by its
    pre-normalisation replacements (".net" -> " dotnet") and by stripping
    before padding; stripping cannot change whole-word matches, so on lines
    without a pre-normalisation key both give the same matches."""
    from transforms.skills import RULES, _pre_normalise

    body = lines.filter(~pl.col("is_heading")).select("_lid", pl.col("line").str.to_lowercase().alias("_low"))
    own = pl.lit(" ") + pl.col("_low").str.replace_all(FAST_NORMALISE_PATTERN, " ") + pl.lit(" ")
    if snorm is None:
        return body.select("_lid", pl.lit("").alias("_n")).head(0), body.select("_lid", own.alias("_n"))
    keys = [k for k, _ in _pre_normalise(load_config(RULES))]
    needs_own = pl.col("_low").str.contains_any(keys) if keys else pl.lit(False)
    flagged = body.with_columns(needs_own.alias("_own"))
    rest = flagged.filter(~pl.col("_own"))
    shared = rest.select("_lid").with_columns(snorm.gather(rest["_lid"]).alias("_n"))  # snorm is indexed by _lid
    return shared, flagged.filter(pl.col("_own")).select("_lid", own.alias("_n"))


def credential_mention_frame(lines: pl.DataFrame, posting_text: pl.LazyFrame, registry=None, rules: dict | None = None,
                             snorm: pl.Series | None = None) -> pl.DataFrame:
    """Credential mentions (MENTION_SCHEMA) of lines numbered by
    transforms.skills.with_line_ids, plus the sort keys _pid and _erank, in
    (posting_key, entity_id, line_no) order."""
    rules = rules or load_config("extraction")
    aliases, patterns = _registry_aliases(registry)
    parts = []
    for frame in credential_norms(lines, snorm):
        if frame.height:
            parts.append(
                frame.select("_lid", pl.col("_n").str.extract_many(patterns, overlapping=True, ascii_case_insensitive=False).alias("pattern"))
                .filter(pl.col("pattern").list.len() > 0)
                .explode("pattern")
            )
    found = pl.concat(parts) if parts else pl.DataFrame(schema={"_lid": pl.UInt32, "pattern": pl.String})
    hits = found.join(aliases, on="pattern", how="inner")
    hits = drop_contained(hits.lazy(), ["_lid"]).collect()
    hits = hits.with_columns(lines.select(pl.col("_pid", "line_no", "line_start", "section", "line", "posting_key").gather(hits["_lid"])))

    # Ambiguous aliases: keep when any context word appears in the posting
    # (only the postings with such a hit are normalised).
    needs_context = hits.filter(pl.col("context_any").list.len() > 0)
    ptext = (
        posting_text.join(needs_context.select("posting_key").unique().lazy(), on="posting_key", how="semi")
        .select("posting_key", normalised(pl.col("text")).alias("ptext"))
        .collect()
    )
    ctx_ok = (
        needs_context.select("posting_key", "credential_id", "_lid", "context_any")
        .explode("context_any")
        .join(ptext, on="posting_key")
        .filter(pl.col("ptext").str.contains(normalised(pl.col("context_any")), literal=True))
        .select("credential_id", "_lid")
        .unique()
        .with_columns(pl.lit(True).alias("context_ok"))
    )
    hits = hits.join(ctx_ok, on=["credential_id", "_lid"], how="left").with_columns(
        pl.when(pl.col("context_any").list.len() == 0).then(True).otherwise(pl.col("context_ok").fill_null(False)).alias("context_ok")
    )

    rule = mention_rule(rules, pl.col("context_ok"))
    strength = strength_of_rule(pl.col("rule"))
    from transforms.skills import first_per_group

    hits = (
        hits.with_columns(rule.alias("rule"))
        .with_columns(strength.alias("strength"))
        .with_columns((pl.col("strength") != "none").alias("counts_as_demand"))
    )
    # The longest surface form per (posting, credential, line) is the mention.
    best = first_per_group(hits, [("_pid", 24), ("_crank", 16), ("line_no", 16)], ("_plen", 8))
    return best.select(mention_columns("credential", "credential_id", pl.col("pattern").str.strip_chars(),
                                       "_pid", pl.col("_crank").alias("_erank")))


def credential_mentions(lines: pl.LazyFrame, posting_text: pl.LazyFrame, registry=None, rules: dict | None = None) -> pl.LazyFrame:
    """Credential mentions of the given lines.

    lines: output of transforms.clean.to_lines (posting_key, line, line_no,
    line_start, section, is_heading). posting_text: (posting_key, text), used
    for context rules of ambiguous aliases. Rows in (posting_key, entity_id,
    line_no) order.
    """
    from transforms.skills import _collected, with_line_ids

    lines = with_line_ids(_collected(lines))
    return credential_mention_frame(lines, posting_text, registry, rules).drop("_pid", "_erank").lazy()

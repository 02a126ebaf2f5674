"""Degree requirements and years of experience, as Polars expressions.

Rules live in config/degrees.yml; section, perk and the shared "preferred"
wording come from config/extraction.yml, as for credentials.

degree_mentions(lines, posting_text) -> one row per (posting_key, entity_id,
line_no), with the columns of transforms.extract.MENTION_SCHEMA plus `field`:
- entity_type: "degree"
- entity_id: the level: high_school, associate, bachelor, master,
  professional (JD, MD, PharmD, DDS, DVM...), doctorate
- field: the field of study when stated ("computer science", "nursing" for
  BSN), lower-case, else null. Union with credential mentions with
  `pl.concat([...], how="diagonal")`, or select MENTION_SCHEMA to drop it.
- strength: required | preferred | or_equivalent | none
- counts_as_demand: false for negations ("no degree required"), perks
  (tuition for a master's), benefits/about/EEO sections and mentions about
  students or application documents ("PhD stipend", "attach your diploma").
- rule: why (degree, unspecified_level, or_equivalent_phrase,
  preferred_phrase, preferred_section, negated, perk_phrase,
  non_demand_context, benefits_section, non_demand_section).

How a line is read: it is cut into clauses (at ";" and sentence ends, and
before a degree named after "(", a comma or "and"). Levels named in one
clause are alternatives ("BS/MS", "Bachelor's or Master's"): the lowest one
is the requirement. A degree without a level ("degree in Computer Science")
counts as a bachelor's (rule unspecified_level). Strength is read around
the mention: "preferred", "a plus" after it (up to the next requirement),
"preferably", "we prefer", "Bonus:" before it; preferred beats or-equivalent;
a negation anywhere on the line beats both; application-document and
offered-programme wording in the 15 words before it makes it non-demand.

experience_years(lines) -> posting_key, line_no, min_years, max_years,
surface, section, strength: "3+ years" -> (3, null), "5-7 years of
experience" -> (5, 7), "at least two years" -> (2, null).
"""
from __future__ import annotations

import polars as pl

from credwatch.settings import load_config
from transforms.extract import MENTION_SCHEMA, mention_columns

LEVELS = ("high_school", "associate", "bachelor", "master", "professional", "doctorate")
DEGREE_SCHEMA = {**MENTION_SCHEMA, "field": pl.String}
EXPERIENCE_SCHEMA = {
    "posting_key": pl.String,
    "line_no": pl.Int64,
    "min_years": pl.Int32,
    "max_years": pl.Int32,
    "surface": pl.String,
    "section": pl.String,
    "strength": pl.String,
}
_CUT = "\x1f"


def degree_rules() -> dict:
    return load_config("degrees")


def _dotless(expr: pl.Expr, cfg: dict) -> pl.Expr:
    """Lower-case line with abbreviations' dots removed (config `prepare`)."""
    e = expr.str.to_lowercase()
    for pattern, repl in cfg["prepare"]:
        e = e.str.replace_all(pattern, repl)
    return e


def _denoised(expr: pl.Expr, cfg: dict) -> pl.Expr:
    """Noise and not-a-requirement phrases blanked (config `noise`, `not_requirement_phrases`)."""
    for pattern in (*cfg["noise"], *cfg.get("not_requirement_phrases", [])):
        expr = expr.str.replace_all(pattern, " ")
    return expr


def prepared(expr: pl.Expr, cfg: dict) -> pl.Expr:
    """Lower-case line with abbreviations' dots removed and noise phrases blanked."""
    return _denoised(_dotless(expr, cfg), cfg)


def degree_cue(cfg: dict) -> str:
    """Regex of any degree word: a level's or the generic degree pattern."""
    return "|".join(f"(?:{lv['pattern']})" for lv in cfg["levels"]) + f"|(?:{cfg['generic_degree_pattern']})"


def _clauses(lines: pl.LazyFrame, cfg: dict) -> pl.LazyFrame:
    """One row per clause of each non-heading line that names a degree word:
    adds `pline` (the prepared line), `clause_no`, `clause`.

    Lines are first tested for a degree word before the noise phrases are
    blanked: blanking only removes words, so a line without one cannot gain
    one, and the ~20 noise regexes then run on the few lines that name a
    degree rather than on every line (the cost of this extractor)."""
    cut = (
        pl.col("pline")
        .str.replace_all(cfg["sentence_split_pattern"], _CUT)
        .str.replace_all(cfg["clause_split_pattern"], _CUT + "${3}")
    )
    # A line cut at an abbreviation's dot goes on with the next line's first
    # words (config continued_line_pattern), so "A Ph.D." + "stipend ..." reads
    # "a phd stipend"; judged before headings are dropped, on adjacent lines.
    head = pl.col("line").shift(-1).over("posting_key", order_by="line_no").str.extract(cfg["continuation_head_pattern"], 1)
    continued = pl.col("line").str.to_lowercase().str.contains(cfg["continued_line_pattern"]) & head.is_not_null()
    line = pl.when(continued).then(pl.col("line").str.replace(r"\s*\.\s*$", "") + pl.lit(" ") + head).otherwise(pl.col("line"))
    return (
        lines.with_columns(line.alias("_read"))
        .filter(~pl.col("is_heading"))
        .with_columns(_dotless(pl.col("_read"), cfg).alias("pline"))
        .filter(pl.col("pline").str.contains(degree_cue(cfg)))
        .with_columns(_denoised(pl.col("pline"), cfg))
        .drop("_read")
        .with_columns(cut.str.split(_CUT).alias("clause"))
        .with_columns(pl.int_ranges(0, pl.col("clause").list.len()).alias("clause_no"))
        .explode(["clause", "clause_no"])
    )


def degree_mentions(lines: pl.LazyFrame, posting_text: pl.LazyFrame | None = None, cfg: dict | None = None, rules: dict | None = None) -> pl.LazyFrame:
    """Degree mentions of the given lines (output of transforms.clean.to_lines).

    posting_text is accepted for symmetry with credential_mentions; degree
    rules are judged on the clause and its section only.
    """
    cfg = cfg or degree_rules()
    rules = rules or load_config("extraction")
    cue = degree_cue(cfg)
    clauses = _clauses(lines, cfg).filter(pl.col("clause").str.contains(cue))
    # Lowest level named in the clause; a degree without a level is a bachelor's.
    surfaces = [pl.col("clause").str.extract(f"({lv['pattern']})", 1).alias(f"_s_{lv['level']}") for lv in cfg["levels"]]
    level = pl.lit(None, dtype=pl.String)
    surface = pl.lit(None, dtype=pl.String)
    for lv in reversed(cfg["levels"]):
        name = lv["level"]
        level = pl.when(pl.col(f"_s_{name}").is_not_null()).then(pl.lit(name)).otherwise(level)
        surface = pl.when(pl.col(f"_s_{name}").is_not_null()).then(pl.col(f"_s_{name}")).otherwise(surface)
    generic = pl.col("clause").str.extract(f"({cfg['generic_degree_pattern']})", 1)
    hits = (
        clauses.with_columns(surfaces)
        .with_columns(
            level.alias("_level"),
            surface.alias("_surface"),
            generic.alias("_generic"),
        )
        .with_columns(
            pl.coalesce("_level", pl.when(pl.col("_generic").is_not_null()).then(pl.lit("bachelor"))).alias("entity_id"),
            pl.coalesce("_surface", "_generic").str.strip_chars().alias("surface"),
            pl.col("_level").is_null().alias("_unspecified"),
        )
        .filter(pl.col("entity_id").is_not_null())
    )

    c = pl.col("clause")
    # Words before and after the mention in its clause decide "preferred".
    # Text before / after the mention's first occurrence (splitn, not find:
    # str.find returns byte offsets, str.slice counts characters).
    parts = c.str.splitn(pl.col("surface"), 2)
    before = parts.struct.field("field_0").fill_null("")
    after = pl.col("surface") + parts.struct.field("field_1").fill_null("")
    # Long unpunctuated lines (lists flattened into one line) would otherwise
    # let a word far away decide: look at 15 words before and 14 after.
    before_window = before.str.extract(r"((?:\S+\s+){0,15}\S*)$", 1).fill_null("")
    after_chunk = after.str.extract(r"^(\S+(?:\s+\S+){0,13})", 1).fill_null("").str.replace(cfg["preferred_after_cut_pattern"], "")
    # Document lists run across clause cuts ("Diploma ( MSc/PhD )"): judged on the line.
    line_before = pl.col("pline").str.splitn(pl.col("surface"), 2).struct.field("field_0").fill_null("")
    line_window = line_before.str.extract(r"((?:\S+\s+){0,15}\S*)$", 1).fill_null("")
    preferred = (
        after_chunk.str.contains(cfg["preferred_after_pattern"])
        | before_window.str.contains(cfg["preferred_before_pattern"])
        | line_before.str.contains(cfg["preferred_label_pattern"])
    )
    # "or equivalent" often closes the line after a bracket cut ("Master's (MBA) or ... or equivalent").
    line = pl.col("pline")
    or_eq = line.str.contains(cfg["or_equivalent_pattern"]) & ~line.str.contains(cfg["or_equivalent_exclude_pattern"])
    # Preferred beats or-equivalent: an optional degree that also accepts
    # experience is still optional. A negation anywhere on the line
    # ("not required to have a degree; ... no degree at all") wins over both.
    rule = (
        pl.when(pl.col("section") == "benefits").then(pl.lit("benefits_section"))
        .when(c.str.contains(rules["perk_pattern"])).then(pl.lit("perk_phrase"))
        .when(line_window.str.contains(cfg["non_demand_pattern"]) | after.str.contains(cfg["non_demand_after_pattern"]))
        .then(pl.lit("non_demand_context"))
        .when(~pl.col("section").is_in(rules["demand_sections"])).then(pl.lit("non_demand_section"))
        .when(preferred).then(pl.lit("preferred_phrase"))
        .when(pl.col("pline").str.contains(cfg["negation_pattern"])).then(pl.lit("negated"))
        .when(pl.col("section") == "preferred").then(pl.lit("preferred_section"))
        .when(or_eq).then(pl.lit("or_equivalent_phrase"))
        .when(pl.col("_unspecified")).then(pl.lit("unspecified_level"))
        .otherwise(pl.lit("degree"))
    )
    strength = (
        pl.when(pl.col("rule") == "or_equivalent_phrase").then(pl.lit("or_equivalent"))
        .when(pl.col("rule").is_in(["preferred_section", "preferred_phrase"])).then(pl.lit("preferred"))
        .when(pl.col("rule").is_in(["degree", "unspecified_level"])).then(pl.lit("required"))
        .otherwise(pl.lit("none"))
    )
    abbrev = cfg["abbreviation_fields"]
    abbrev_field = pl.col("surface").replace_strict(list(abbrev), list(abbrev.values()), default=None, return_dtype=pl.String)
    field = (
        c.str.extract(cfg["field_pattern"], 1)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" -/&")
        .str.slice(0, 60)
    )
    return (
        hits.with_columns(rule.alias("rule"))
        .with_columns(strength.alias("strength"))
        .with_columns(
            (pl.col("strength") != "none").alias("counts_as_demand"),
            pl.coalesce(abbrev_field, pl.when(field != "").then(field)).alias("field"),
        )
        # One mention per (posting, level, line): a demand clause wins over a non-demand one.
        .sort(["posting_key", "entity_id", "line_no", "counts_as_demand", "clause_no"], descending=[False, False, False, True, False])
        .unique(["posting_key", "entity_id", "line_no"], keep="first", maintain_order=True)
        .select(mention_columns("degree", "entity_id", "surface", "field"))
    )


def experience_years(lines: pl.LazyFrame, cfg: dict | None = None, rules: dict | None = None) -> pl.LazyFrame:
    """Years-of-experience requirements, one row per match (EXPERIENCE_SCHEMA)."""
    cfg = cfg or degree_rules()
    rules = rules or load_config("extraction")
    e = pl.col("line").str.to_lowercase()
    for word, num in cfg["number_words"].items():
        e = e.str.replace_all(rf"\b{word}\b", str(num))
    e = e.str.replace_all(r"(\d+)\s*\(\d+\)", "$1").str.replace_all(r"\((\d+)\)", "$1").str.replace_all("’", "'")
    follow = cfg["experience_follow_pattern"].lstrip("^")
    full = f"(?:{cfg['experience_pattern']})(?:{follow})"
    pat = cfg["experience_pattern"]
    text = pl.col("_m")
    preferred = pl.col("_lc").str.contains(cfg["preferred_after_pattern"]) | pl.col("_lc").str.contains(rules["preferred_pattern"])
    return (
        lines.filter(~pl.col("is_heading") & pl.col("line").str.contains(r"(?i)\b(years?|yrs?)\b"))
        .with_columns(e.alias("_lc"))
        .filter(~pl.col("_lc").str.contains(cfg["experience_exclude_pattern"]))
        .with_columns(pl.col("_lc").str.extract_all(full).alias("_m"))
        .explode("_m")
        .filter(pl.col("_m").is_not_null())
        .with_columns(
            text.str.extract(pat, 1).alias("_qual"),
            text.str.extract(pat, 2).cast(pl.Int32).alias("_a"),
            text.str.extract(pat, 4).cast(pl.Int32).alias("_b"),
        )
        .filter(pl.col("_a").is_between(0, 50))
        .select(
            "posting_key",
            pl.col("line_no").cast(pl.Int64),
            pl.when(pl.col("_qual") == "up to").then(None).otherwise(pl.col("_a")).cast(pl.Int32).alias("min_years"),
            pl.when(pl.col("_qual") == "up to").then(pl.col("_a")).otherwise(pl.col("_b")).cast(pl.Int32).alias("max_years"),
            text.str.extract(f"({pat})", 1).str.strip_chars().alias("surface"),
            "section",
            pl.when(pl.col("section").is_in(["benefits", "about", "eeo"])).then(pl.lit("none"))
            .when(preferred | (pl.col("section") == "preferred")).then(pl.lit("preferred"))
            .otherwise(pl.lit("required"))
            .alias("strength"),
        )
    )

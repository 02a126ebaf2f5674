"""HTML → text and section detection, as Polars expressions.

Input: a frame with `posting_key` and `description_html` (and optionally a
plain-text `description_text` the source provided). Output text keeps one
line per paragraph, heading and list item, so that section detection and the
per-line rules of the extractor see the posting's structure.
"""
from __future__ import annotations

import polars as pl

from credwatch.settings import load_config

# Entities common in job-board HTML. `&amp;` is replaced last so that
# double-escaped text ("&amp;lt;") comes out as "&lt;" → handled by the
# second pass in html_to_text.
_ENTITIES = {
    "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&apos;": "'",
    "&nbsp;": " ", "&#160;": " ", "&ndash;": "–", "&mdash;": "—", "&rsquo;": "’",
    "&lsquo;": "‘", "&ldquo;": "“", "&rdquo;": "”", "&hellip;": "…", "&bull;": "•",
    "&euro;": "€", "&pound;": "£", "&#8211;": "–", "&#8217;": "’",
}


def _unescape(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(list(_ENTITIES), list(_ENTITIES.values())).str.replace_all("&amp;", "&", literal=True)


def html_to_text(expr: pl.Expr) -> pl.Expr:
    """Polars expression: HTML (possibly entity-escaped once, as Greenhouse
    sends it) → plain text with one line per block element."""
    e = _unescape(_unescape(expr))  # twice: escaped HTML → HTML → text entities
    e = (
        e.str.replace_all(r"(?is)<(script|style)[^>]*>.*?</(script|style)>", " ")
        .str.replace_all(r"(?i)<li[^>]*>", "\n- ")
        .str.replace_all(r"(?i)<h[1-6][^>]*>", "\n# ")
        .str.replace_all(r"(?i)<(br|/p|p|/div|div|/li|/h[1-6]|/ul|ul|/ol|ol|/tr|/table)(\s[^>]*)?/?>", "\n")
        .str.replace_all(r"<[^>]*>", "")
    )
    e = _unescape(e)
    return (
        # Runs of blanks → one space. A lone space is left alone rather than
        # rewritten by a `[...]+` match on every word gap (3× the cost).
        e.str.replace_all(r"[ \t\r\f\v\u00a0]{2,}|[\t\r\f\v\u00a0]", " ")
        .str.replace_all(r" ?\n[ \n]*", "\n")
        .str.strip_chars()
    )


def _heading_test(line: pl.Expr, rules: dict) -> tuple[pl.Expr, pl.Expr]:
    """(the line without its heading / list marks, whether it reads as a heading)."""
    stripped = line.str.replace(r"^[#\-•*\s]+", "").str.strip_chars(" :")
    is_list_item = line.str.starts_with("- ")
    short = stripped.str.len_chars() <= rules["heading_max_chars"]
    # <h1-6> lines are headings; so are short non-list lines that read like a
    # label ("Benefits", "What you'll bring:") rather than a sentence.
    is_heading = line.str.starts_with("# ") | (
        short & ~is_list_item & (line.str.ends_with(":") | ~stripped.str.contains(r"[.;!?]"))
    )
    return stripped, is_heading


def _section_label(stripped: pl.Expr, rules: dict) -> pl.Expr:
    out = pl.lit(None, dtype=pl.String)
    for rule in reversed(rules["sections"]):
        out = pl.when(stripped.str.contains("(?i)" + rule["pattern"])).then(pl.lit(rule["section"])).otherwise(out)
    return out


def section_expr(line: pl.Expr, rules: dict | None = None) -> pl.Expr:
    """Section label of a heading line, or null when the line is not a heading."""
    rules = rules or load_config("extraction")
    stripped, is_heading = _heading_test(line, rules)
    return pl.when(is_heading).then(_section_label(stripped, rules)).otherwise(pl.lit(None, dtype=pl.String))


def _section_of_lines(lines: pl.DataFrame, rules: dict) -> pl.Series:
    """section_expr of every line, with the section patterns run only on the
    lines that read as headings (a when/then would run them on every line)."""
    stripped, is_heading = _heading_test(pl.col("line"), rules)
    cand = lines.select(stripped.alias("_s"), is_heading.alias("_h")).with_row_index("_r").filter(pl.col("_h"))
    labels = cand.select("_r", _section_label(pl.col("_s"), rules).alias("_heading"))
    out = pl.Series("_heading", [None] * lines.height, dtype=pl.String)
    return out.scatter(labels["_r"], labels["_heading"]) if labels.height else out


def to_lines(postings: pl.LazyFrame, rules: dict | None = None) -> pl.LazyFrame:
    """One row per (posting_key, line_no) with the line text, its character
    offset in the cleaned text, and the section it belongs to.

    Lines before the first recognised heading are in section `body`; EEO
    boilerplate lines are in `eeo` wherever they appear.
    """
    rules = rules or load_config("extraction")
    split = postings.select("posting_key", pl.col("text").str.split("\n").alias("line"))
    if isinstance(postings, pl.LazyFrame):
        split = split.collect()
    if split["posting_key"].is_unique().all():
        return _lines_of_unique(split, rules).lazy()
    lines = (
        split.lazy()
        .explode("line")
        .with_columns(pl.int_range(pl.len()).over("posting_key").alias("line_no"))
        .with_columns(
            (pl.col("line").str.len_chars() + 1).cum_sum().over("posting_key").alias("_end"),
        )
        .with_columns((pl.col("_end") - pl.col("line").str.len_chars() - 1).alias("line_start"))
        .drop("_end")
    )
    heading = section_expr(pl.col("line"), rules)
    return lines.with_columns(
        heading.alias("_heading"),
    ).with_columns(
        pl.col("_heading").forward_fill().over("posting_key", order_by="line_no").fill_null("body").alias("section"),
        pl.col("_heading").is_not_null().alias("is_heading"),
    ).with_columns(
        pl.when(pl.col("line").str.contains("(?i)" + rules["eeo_pattern"]))
        .then(pl.lit("eeo"))
        .otherwise(pl.col("section"))
        .alias("section")
    ).drop("_heading")


def _lines_of_unique(split: pl.DataFrame, rules: dict) -> pl.DataFrame:
    """to_lines when every posting_key occurs once (the normal case): the same
    columns and values, with the per-posting numbering, offsets and section
    carry-over computed on the exploded lists in order instead of in windows
    over the string key. A posting's lines stay contiguous and in order after
    the explode, so a running total minus the posting's own start gives the
    offset, and a forward fill that is seeded at each posting's first line
    never carries a section over from the previous posting."""
    length = pl.col("line").str.len_chars().cast(pl.Int64) + 1
    exploded = (
        split.with_columns(pl.int_ranges(0, pl.col("line").list.len()).alias("line_no"))
        .explode(["line", "line_no"])
        .with_columns(pl.col("line_no").cast(pl.Int64))
    )
    seed = "\x00"
    lines = exploded.with_columns(
        (length.cum_sum() - length).alias("_start"),
        _section_of_lines(exploded, rules),
    ).with_columns(
        (pl.col("_start") - pl.when(pl.col("line_no") == 0).then(pl.col("_start")).forward_fill()).alias("line_start"),
        pl.when((pl.col("line_no") == 0) & pl.col("_heading").is_null()).then(pl.lit(seed)).otherwise(pl.col("_heading"))
        .forward_fill().alias("_section"),
    )
    return lines.select(
        "posting_key", "line", "line_no", pl.col("line_start").cast(pl.UInt32),
        pl.when(pl.col("line").str.contains("(?i)" + rules["eeo_pattern"])).then(pl.lit("eeo"))
        .when(pl.col("_section") == seed).then(pl.lit("body"))
        .otherwise(pl.col("_section")).alias("section"),
        pl.col("_heading").is_not_null().alias("is_heading"),
    )

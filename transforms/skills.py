"""Skill mentions: a dictionary of O*NET Technology Skills and ESCO skill
labels, matched with Aho-Corasick (Polars `str.extract_many`), plus context
rules for short or everyday-word names.

Dictionary (config/taxonomies/skills.csv.gz, built by `build()` from O*NET
29.3 and ESCO; attribution in config/taxonomies/README.md): one row per
normalised alias → skill, with the alias's origin. Aliases are the O*NET
example names ("Microsoft Excel"), shorter forms of them (vendor dropped:
"Excel"; acronym: "SQL" from "Structured query language SQL"; suffix
dropped: "Rust" from "Rust programming language"), O*NET commodity titles
("Spreadsheet software"), and ESCO preferred and alternative labels. An alias
claimed by several skills goes to the first by priority (O*NET example name,
then its derived forms, then commodity titles, then ESCO).

Matching (per line of cleaned text, headings skipped):
1. the line and the aliases are normalised alike: `pre_normalise`
   replacements (".NET" → "dotnet", "Node.js" → "nodejs"), then the
   registry's rule (lower-case, runs of [^a-z0-9+#] → one space, padded), so
   "C#" and "C++" survive and matches are whole words;
2. `str.extract_many(overlapping=True)` finds every alias, `str.find_many`
   where it starts; a match lying inside a longer match on the same line is
   dropped ("Apache Spark" keeps no separate "Spark"), partial overlaps stay;
3. aliases listed under `ambiguous` in config/taxonomies/skills_rules.yml
   (Go, R, C, Excel, Access, Spark, Swift, Rust, Scala, ...) count only when
   their case-sensitive form is on the line, no excluding phrase is ("go to
   market", "R&D", "excel in"), and the posting has a context word; one-word
   everyday-English aliases without such a rule, and the stop list
   (config/taxonomies/skills_stoplist.csv), are not matched at all;
4. requirement strength and demand exactly as credential mentions
   (transforms.extract.mention_rule / strength_of_rule).

Output grain of skill_mentions: one row per (posting_key, skill id, line_no),
the longest alias winning, in transforms.extract.MENTION_SCHEMA.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths
from transforms.extract import MENTION_SCHEMA, mention_columns, mention_rule, strength_of_rule
from transforms.registry import FAST_NORMALISE_PATTERN, NORMALISE_PATTERN

RULES = "taxonomies/skills_rules"

DICTIONARY_SCHEMA = {
    "pattern": pl.String,        # normalised alias, no padding
    "skill_id": pl.String,
    "skill_name": pl.String,
    "alias": pl.String,          # the alias as the source wrote it
    "alias_kind": pl.String,     # name | extra | curated | esco_preferred | suffix_dropped | vendor_dropped | acronym | expansion | commodity | esco_alt
    "source": pl.String,         # onet_technology_skills | esco | credwatch (curated_skills in skills_rules.yml)
    "hot_technology": pl.Boolean,
    "esco_uri": pl.String,
    "common_word": pl.Boolean,   # a one-word everyday-English alias (or ≤ 2 characters)
}

# --------------------------------------------------------------------------- normalisation


def _pre_normalise(rules: dict) -> list[tuple[str, str]]:
    return list((rules.get("pre_normalise") or {}).items())


def skill_normalise(text: str, rules: dict | None = None) -> str:
    """Python twin of skill_normalised: pre-normalisation replacements, then
    transforms.registry.normalise's rule, padded with one space each side."""
    rules = rules or load_config(RULES)
    pre = _pre_normalise(rules)
    t = text.lower()
    if pre:
        # one left-to-right pass, leftmost-first, like Polars' replace_many
        pattern = re.compile("|".join(re.escape(k) for k, _ in pre))
        t = pattern.sub(lambda m: dict(pre)[m.group(0)], t)
    return " " + re.sub(NORMALISE_PATTERN, " ", t).strip() + " "




def skill_normalised(expr: pl.Expr, rules: dict | None = None) -> pl.Expr:
    """Polars: normalised, space-padded text for skill matching."""
    rules = rules or load_config(RULES)
    return _skill_normalised_lower(expr.str.to_lowercase(), rules)


def _skill_normalised_lower(lower: pl.Expr, rules: dict) -> pl.Expr:
    """skill_normalised of an already lower-cased expression."""
    pre = _pre_normalise(rules)
    e = lower
    if pre:
        e = e.str.replace_many([k for k, _ in pre], [v for _, v in pre])
    return pl.lit(" ") + e.str.replace_all(FAST_NORMALISE_PATTERN, " ").str.strip_chars() + pl.lit(" ")


# --------------------------------------------------------------------------- dictionary


def taxonomy_dir() -> Path:
    return paths().config / "taxonomies"


@lru_cache(maxsize=4)
def _read_dictionary(path: str, mtime: float) -> pl.DataFrame:
    return pl.read_csv(path, schema=DICTIONARY_SCHEMA)


def _rules_key(rules: dict) -> str:
    """A hashable fingerprint of a rules dict (a cache key: edited rules are new rules)."""
    return json.dumps(rules, sort_keys=True, default=str)


def _file_stamp(path: Path) -> float | None:
    return path.stat().st_mtime if path.exists() else None


def load_dictionary(plain: bool = False, rules: dict | None = None) -> pl.DataFrame:
    """The skill dictionary as matched: one row per pattern.

    plain=False (the extractor): everyday-word aliases without a context
    rule and stop-listed aliases are left out, and `ambiguous` says which
    patterns carry a rule. plain=True (the evaluation baseline): every row.

    Cached per process until the dictionary, the stop list or the rules change.
    """
    rules = rules or load_config(RULES)
    path = taxonomy_dir() / "skills.csv.gz"
    if not path.exists():
        raise FileNotFoundError(
            f"skill dictionary {path} is missing; restore it from git or rebuild it with "
            "`python -m transforms.skills build --onet <O*NET 29.3 folder> --esco <ESCO folder>`"
        )
    return _dictionary_and_rules(rules, plain)[0]


_DICTIONARY_CACHE: dict[tuple, tuple[pl.DataFrame, pl.DataFrame]] = {}


def _dictionary_and_rules(rules: dict, plain: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(dictionary as load_dictionary returns it, ambiguous_rules of the whole
    dictionary), computed once per process for each version of the dictionary
    file, the stop list and the rules (the stop list's map_elements and the
    acronym rules are too slow to redo for every batch)."""
    path = taxonomy_dir() / "skills.csv.gz"
    stop = taxonomy_dir() / "skills_stoplist.csv"
    key = (str(path), path.stat().st_mtime, str(stop), _file_stamp(stop), _rules_key(rules), plain)
    hit = _DICTIONARY_CACHE.get(key)
    if hit is None:
        if len(_DICTIONARY_CACHE) >= 8:
            _DICTIONARY_CACHE.clear()
        hit = _DICTIONARY_CACHE[key] = _build_dictionary(path, rules, plain)
    return hit


def _build_dictionary(path: Path, rules: dict, plain: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    d = _read_dictionary(str(path), path.stat().st_mtime)
    ambiguous = ambiguous_rules(rules, d)
    d = d.with_columns(pl.col("pattern").is_in(ambiguous["pattern"].implode()).alias("ambiguous"))
    if not plain:
        stop = load_stoplist()
        d = d.filter(~pl.col("common_word") | pl.col("ambiguous")).filter(~pl.col("pattern").is_in(stop.implode()))
    return d, ambiguous


def load_stoplist() -> pl.Series:
    """Normalised aliases never matched (config/taxonomies/skills_stoplist.csv)."""
    path = taxonomy_dir() / "skills_stoplist.csv"
    if not path.exists():
        return pl.Series("pattern", [], dtype=pl.String)
    s = pl.read_csv(path, schema_overrides={"alias": pl.String}, comment_prefix="#")["alias"]
    return s.map_elements(lambda a: skill_normalise(a).strip(), return_dtype=pl.String).alias("pattern")


def ambiguous_rules(rules: dict | None = None, dictionary: pl.DataFrame | None = None) -> pl.DataFrame:
    """(pattern, require, exclude, context) for aliases that need context; '' = no condition.

    Besides the configured rules: an acronym of three or more letters that
    spells an everyday word ("FAST", "CASE", "CLAIMS") counts only when
    written in capitals.
    """
    rules = rules or load_config(RULES)
    rows = []
    if dictionary is not None:
        configured = {skill_normalise(str(a), rules).strip() for a in (rules.get("ambiguous") or {})}
        acronyms = dictionary.filter(
            (pl.col("alias_kind") == "acronym") & pl.col("common_word") & (pl.col("pattern").str.len_chars() >= 3)
            & ~pl.col("pattern").str.contains(" ")
        )
        for pattern, alias in acronyms.select("pattern", "alias").iter_rows():
            if pattern not in configured:
                rows.append({"pattern": pattern, "require": rf"\b{re.escape(alias)}\b", "exclude": "", "context": ""})
    for alias, r in (rules.get("ambiguous") or {}).items():
        r = r or {}
        rows.append({
            "pattern": skill_normalise(str(alias), rules).strip(),
            "require": r.get("require") or "",
            "exclude": r.get("exclude") or "",
            "context": r.get("context") or "",
        })
    return pl.DataFrame(rows, schema={"pattern": pl.String, "require": pl.String, "exclude": pl.String, "context": pl.String})


# --------------------------------------------------------------------------- matching


def with_line_ids(lines: pl.DataFrame) -> pl.DataFrame:
    """Lines with the integer keys the extractors sort and join on: `_lid` (the
    row number: one per (posting_key, line_no)) and `_pid` (the posting's rank
    in posting_key order). Kept when the frame has them already
    (transforms.normalize numbers them once for all extractors)."""
    if "_lid" not in lines.columns:
        lines = lines.with_row_index("_lid")
    if "_pid" not in lines.columns:
        lines = lines.with_columns(pl.col("posting_key").rank("dense").alias("_pid"))
    return lines


def line_norm(lines: pl.DataFrame, rules: dict) -> pl.Series:
    """skill_normalise of every line (the `_snorm` column when the frame has it)."""
    if "_snorm" in lines.columns:
        return lines["_snorm"]
    return lines.select(_skill_normalised_lower(pl.col("line").str.to_lowercase(), rules).alias("_snorm"))["_snorm"]


_MATCHERS: dict[int, tuple[pl.DataFrame, list[str], pl.DataFrame]] = {}


def _matcher(d: pl.DataFrame) -> tuple[list[str], pl.DataFrame]:
    """(padded patterns for Aho-Corasick, one row per pattern: _pat (its index in
    that list), padded, pattern, skill_id, ambiguous, n_words, _blen (bytes of
    padded), _plen (characters of pattern), _srank (rank of skill_id)), cached
    per dictionary frame (load_dictionary returns the same frame until a file
    or the rules change)."""
    hit = _MATCHERS.get(id(d))
    if hit is not None and hit[0] is d:
        return hit[1], hit[2]
    u = d.select("pattern", "skill_id", "ambiguous").unique("pattern", keep="first", maintain_order=True)
    table = u.with_row_index("_pat").with_columns(
        (" " + pl.col("pattern") + " ").alias("padded"),
        (pl.col("pattern").str.count_matches(" ") + 1).alias("n_words"),
        (pl.col("pattern").str.len_bytes() + 2).alias("_blen"),
        pl.col("pattern").str.len_chars().alias("_plen"),
        pl.col("skill_id").rank("dense").alias("_srank"),
    )
    padded = table["padded"].to_list()
    if len(_MATCHERS) >= 8:
        _MATCHERS.clear()
    _MATCHERS[id(d)] = (d, padded, table)
    return padded, table


def scan_lines(lines: pl.DataFrame, norm: pl.Series, patterns: list[str]) -> pl.DataFrame:
    """Aho-Corasick over the normalised non-heading lines: one row per match
    (overlapping, in each line's match order): _lid, padded (the pattern)."""
    body = pl.DataFrame({"_lid": lines["_lid"], "_n": norm}).filter(~lines["is_heading"])
    return (
        body.select("_lid", pl.col("_n").str.extract_many(patterns, overlapping=True).alias("padded"))
        .filter(pl.col("padded").list.len() > 0)
        .explode("padded")
    )


def _match_starts(hits: pl.DataFrame, norm: pl.Series) -> pl.Series:
    """span_start (UInt32 byte offset in the normalised line) of each match of
    `hits` (_lid, padded, _pat; all matches of a line, as scan_lines gives
    them). The k-th match of a pattern on a line starts at the k-th
    (overlapping) occurrence of the pattern there: a literal find per match,
    instead of a second Aho-Corasick pass (str.find_many) over every line."""
    starts = norm.gather(hits["_lid"]).str.find(hits["padded"], literal=True).cast(pl.UInt32)
    pair = pl.col("_lid").cast(pl.UInt64) * (1 << 32) + pl.col("_pat").cast(pl.UInt64)
    later = hits.select(pair.is_first_distinct().not_().alias("_later"))["_later"]
    if later.any():
        # a pattern matched twice on one line (rare): its later occurrences in Python
        rows = hits.with_row_index("_h").filter(later)
        seen: dict[tuple[int, int], int] = {}
        fixed = []
        for lid, pid, pat in rows.select("_lid", "_pat", "padded").iter_rows():
            occ = seen[(lid, pid)] = seen.get((lid, pid), 0) + 1
            text, p = norm[lid].encode(), pat.encode()
            i = text.find(p)
            for _ in range(occ):
                i = text.find(p, i + 1)
            fixed.append(i)
        starts = starts.scatter(rows["_h"], pl.Series(fixed, dtype=pl.UInt32))
    return starts


def first_per_group(frame: pl.DataFrame, keys: list[tuple[str, int]], order: tuple[str, int] | None = None) -> pl.DataFrame:
    """The first row of each group of `keys`, sorted by keys and then by `order`
    descending: sort + unique(keep first) on integer keys, packed into one
    UInt64 when they fit (keys given as (column, bits)); rows in key order."""
    cols = [*keys, *([order] if order else [])]
    fits = sum(b for _, b in cols) <= 64 and all(
        frame.height == 0 or (frame[c].min() >= 0 and frame[c].max() < (1 << b)) for c, b in cols)
    if not fits:
        names = [c for c, _ in keys]
        by = [*names, *([order[0]] if order else [])]
        return (frame.sort(by, descending=[False] * len(names) + ([True] if order else []))
                .unique(names, keep="first", maintain_order=True))
    packed, shift = pl.lit(0, dtype=pl.UInt64), 0
    for c, b in reversed(cols):
        value = pl.col(c).cast(pl.UInt64)
        if order and c == order[0] and shift == 0:
            value = pl.lit((1 << b) - 1, dtype=pl.UInt64) - value  # descending
        packed = packed + value * pl.lit(1 << shift, dtype=pl.UInt64)
        shift += b
    group = pl.col("_k") // pl.lit(1 << (order[1] if order else 0), dtype=pl.UInt64)
    return (
        frame.with_columns(packed.alias("_k"))
        .sort("_k")
        .filter(group != group.shift(1).fill_null(pl.lit((1 << 64) - 1, dtype=pl.UInt64)))
        .drop("_k")
    )


def _skill_hits(lines: pl.DataFrame, norm: pl.Series, d: pl.DataFrame, plain: bool,
                found: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per match on non-heading lines: _lid, span_start (UInt32, byte
    offset of the match's leading space in the normalised line) and the
    pattern table's columns; unless plain, without matches lying inside a
    longer match on the same line. `found`: scan_lines output for a pattern
    list that includes the dictionary's (shared with another extractor)."""
    padded, table = _matcher(d)
    if found is None:
        found = scan_lines(lines, norm, padded)
    hits = found.join(table, on="padded", how="inner", maintain_order="left")
    hits = hits.with_columns(_match_starts(hits, norm).alias("span_start"))
    if plain:
        return hits
    # Longest match: drop a match lying wholly inside a longer one on the same
    # line. Sorted by line, start, longest first, a match is inside an earlier
    # one exactly when some earlier match of its line ends at or after its end.
    # Line and end are packed into one integer so that a running maximum over
    # the whole frame never carries an end over from the previous line.
    end = pl.col("span_start").cast(pl.Int64) + pl.col("_blen").cast(pl.Int64)
    packed = pl.col("_lid").cast(pl.Int64) * (1 << 32) + pl.col("_end")
    prev = pl.col("_packed").cum_max().shift(1)
    return (
        hits.with_columns(end.alias("_end"))
        .sort(["_lid", "span_start", "_end"], descending=[False, False, True])
        .with_columns(packed.alias("_packed"))
        .filter(prev.is_null() | (prev < pl.col("_lid").cast(pl.Int64) * (1 << 32)) | (prev < pl.col("_packed")))
        .drop("_end", "_packed")
    )


def _line_rules(lines: pl.DataFrame, lids: pl.Series, extraction_rules: dict) -> pl.DataFrame:
    """(_lid, _line_rule): the section / perk / negation / strength rule of each
    given line (transforms.extract.mention_rule with the context test passed),
    judged once per line rather than per match."""
    from transforms.extract import mention_rule

    idx = lids.unique().sort()
    return (
        lines.select(pl.col("_lid", "line", "section").gather(idx))
        .select("_lid", mention_rule(extraction_rules, pl.lit(True)).alias("_line_rule"))
    )


def _context_ok(hits: pl.DataFrame, lines: pl.DataFrame, posting_text: pl.LazyFrame, rules: dict) -> pl.Series:
    """context_ok per hit: True for plain aliases; for ambiguous ones, the
    alias's require / exclude regexes on the line and context regex on the
    line or the posting. Only the (few) ambiguous hits are judged, and only
    their postings' text is read."""
    amb_hits = hits.select("_lid", "pattern", "ambiguous").with_row_index("_h").filter(pl.col("ambiguous"))
    out = pl.Series("context_ok", [True] * hits.height, dtype=pl.Boolean)
    if amb_hits.height == 0:
        return out
    amb = _dictionary_and_rules(rules, True)[1].with_columns(
        pl.col(c).replace("", None) for c in ("require", "exclude", "context")
    )
    where = lines.select(pl.col("_lid", "posting_key", "line").gather(amb_hits["_lid"].unique().sort()))
    keys = where.select("posting_key").unique()
    texts = posting_text.select("posting_key", pl.col("text").alias("_ptext")).join(keys.lazy(), on="posting_key", how="semi").collect()
    line = pl.col("line")
    ok = (
        line.str.contains(pl.col("require")).fill_null(True)
        & ~line.str.contains(pl.col("exclude")).fill_null(False)
        & (line.str.contains(pl.col("context")) | pl.col("_ptext").str.contains(pl.col("context"))).fill_null(True)
    )
    judged = (
        amb_hits.join(amb, on="pattern", how="left")
        .join(where, on="_lid", how="left")
        .join(texts, on="posting_key", how="left")
        .select("_h", ok.alias("context_ok"))
    )
    return out.scatter(judged["_h"], judged["context_ok"])


def _skill_frame(lines: pl.DataFrame, posting_text: pl.LazyFrame, dictionary: pl.DataFrame | None, rules: dict,
                 extraction_rules: dict, plain: bool, norm: pl.Series | None = None) -> pl.DataFrame:
    """Skill spans keyed by _lid (see skill_spans), with _pid, _srank and _plen for sorting."""
    d = dictionary if dictionary is not None else load_dictionary(plain=plain, rules=rules)
    norm = norm if norm is not None else line_norm(lines, rules)
    hits = _skill_hits(lines, norm, d, plain)
    if plain:
        hits = hits.with_columns(pl.lit(True).alias("context_ok"))
    else:
        hits = hits.with_columns(_context_ok(hits, lines, posting_text, rules))
    rule_by_line = _line_rules(lines, hits["_lid"], extraction_rules)
    # mention_rule's first test is the context; the rest was judged per line.
    return (
        hits.join(rule_by_line, on="_lid", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("context_ok")).then(pl.col("_line_rule")).otherwise(pl.lit("ambiguous_no_context")).alias("rule")
        )
        .with_columns(strength_of_rule(pl.col("rule")).alias("strength"))
        .with_columns((pl.col("strength") != "none").alias("counts_as_demand"))
    )


def _collected(frame: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def skill_spans(lines: pl.LazyFrame, posting_text: pl.LazyFrame, dictionary: pl.DataFrame | None = None,
                rules: dict | None = None, extraction_rules: dict | None = None, plain: bool = False) -> pl.LazyFrame:
    """Every skill span found on the lines, before collapsing to the mention grain.

    Columns: posting_key, line_no, line_start, section, line, pattern,
    skill_id, span_start (character offset of the match's leading space in
    the line's normalised text: `skill_normalise(line)`), n_words,
    context_ok, rule, strength, counts_as_demand. No particular row order.

    plain=True is the evaluation baseline: the whole dictionary, every
    overlapping match, no context rules and no stop list.
    """
    rules = rules or load_config(RULES)
    extraction_rules = extraction_rules or load_config("extraction")
    lines = with_line_ids(_collected(lines))
    spans = _skill_frame(lines, posting_text, dictionary, rules, extraction_rules, plain)
    info = lines.select(pl.col("posting_key", "line_no", "line_start", "section", "line").gather(spans["_lid"]))
    return pl.concat([info, spans], how="horizontal").select(
        "posting_key", "line_no", "line_start", "section", "line", "pattern", "skill_id",
        pl.col("span_start").cast(pl.Int64), "n_words", "context_ok", "rule", "strength", "counts_as_demand",
    ).lazy()


def skill_mention_frame(lines: pl.DataFrame, posting_text: pl.LazyFrame, dictionary: pl.DataFrame | None = None,
                        rules: dict | None = None, extraction_rules: dict | None = None,
                        norm: pl.Series | None = None) -> pl.DataFrame:
    """Skill mentions (MENTION_SCHEMA) of lines numbered by with_line_ids, plus
    the sort keys _pid and _erank (the entity id's rank), in (posting_key,
    entity_id, line_no) order."""
    rules = rules or load_config(RULES)
    extraction_rules = extraction_rules or load_config("extraction")
    spans = _skill_frame(lines, posting_text, dictionary, rules, extraction_rules, False, norm)
    keys = lines.select(pl.col("_pid", "line_no").gather(spans["_lid"]))
    # The longest alias per (posting, skill, line) is the mention.
    best = first_per_group(pl.concat([keys, spans], how="horizontal"),
                           [("_pid", 24), ("_srank", 16), ("line_no", 16)], ("_plen", 8))
    info = lines.select(pl.col("posting_key", "line_start", "section").gather(best["_lid"]))
    return pl.concat([info, best], how="horizontal").select(
        mention_columns("skill", "skill_id", "pattern", "_pid", pl.col("_srank").alias("_erank"))
    ).cast(MENTION_SCHEMA)


def skill_mentions(lines: pl.LazyFrame, posting_text: pl.LazyFrame, dictionary: pl.DataFrame | None = None,
                   rules: dict | None = None, extraction_rules: dict | None = None) -> pl.LazyFrame:
    """Skill mentions of the given lines, in transforms.extract.MENTION_SCHEMA.

    lines: output of transforms.clean.to_lines (posting_key, line, line_no,
    line_start, section, is_heading). posting_text: (posting_key, text), for
    the context rules of ambiguous names.
    Grain: one row per (posting_key, entity_id, line_no); entity_type 'skill';
    surface is the normalised alias matched (the longest, when a skill is
    matched twice on a line). Rows in (posting_key, entity_id, line_no) order.
    """
    lines = with_line_ids(_collected(lines))
    out = skill_mention_frame(lines, posting_text, dictionary, rules, extraction_rules)
    return out.drop("_pid", "_erank").lazy()


def skills_table() -> pl.DataFrame:
    """dim-style table: one row per skill (skill_id, skill_name, source, hot_technology, esco_uri)."""
    return (
        load_dictionary(plain=True)
        .sort("alias_kind")
        .group_by("skill_id", maintain_order=True)
        .agg(pl.col("skill_name").first(), pl.col("source").first(), pl.col("hot_technology").first(),
             pl.col("esco_uri").drop_nulls().first(), pl.len().alias("n_aliases"))
        .sort("skill_id")
    )


# --------------------------------------------------------------------------- building the dictionary

# Which claimant of an alias wins: names as their source writes them, then
# ESCO's curated preferred labels, then forms derived from O*NET names
# ("Cloud Computing" is ESCO's concept before it is "Citrix Cloud Computing"
# with the vendor dropped), then commodity titles and ESCO alternative labels.
_ALIAS_PRIORITY = ["name", "extra", "curated", "esco_preferred", "suffix_dropped", "vendor_dropped", "acronym",
                   "expansion", "commodity", "esco_alt"]


def _slug(text: str) -> str:
    t = text.lower().replace("c++", "cpp").replace("c#", "csharp").replace(".net", "dotnet").replace("+", "plus")
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _onet_aliases(name: str, rules: dict) -> list[tuple[str, str]]:
    """(alias, kind) for one O*NET Technology Skills example name."""
    out = [(name, "name")]
    forms = [name]
    for suffix in rules.get("strip_suffixes") or []:
        if name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
            short = name[: -len(suffix)].strip()
            out.append((short, "suffix_dropped"))
            forms.append(short)
    for form in list(forms):
        for vendor in sorted(rules.get("vendor_prefixes") or [], key=len, reverse=True):
            if form.startswith(vendor + " ") and len(form) > len(vendor) + 1:
                out.append((form[len(vendor) + 1:].strip(), "vendor_dropped"))
                forms.append(form[len(vendor) + 1:].strip())
                break
    # Acronyms spelled out just before them: "Structured query language SQL",
    # "Hypertext markup language HTML", "JavaScript Object Notation JSON".
    for form in list(forms):
        words = form.split()
        for i, w in enumerate(words):
            if not (2 <= len(w) <= 6 and w.isalpha() and w.isupper()):
                continue
            j = _expansion_start(words[:i], w.lower())
            if j is None:
                continue
            expansion, rest_before, rest_after = words[j:i], words[:j], words[i + 1:]
            out.append((" ".join(rest_before + [w] + rest_after), "acronym"))
            out.append((" ".join(rest_before + expansion + rest_after), "expansion"))
            if rest_after and not rest_before:  # "AWS" of "Amazon Web Services AWS CloudFormation"
                out.append((w, "acronym"))
    return out


def _expansion_start(before: list[str], acronym: str) -> int | None:
    """Index of the first word of the acronym's spelled-out form among the
    words before it, or None: the nearest run of words whose initials, in
    order, are letters of the acronym and whose letters contain the whole
    acronym in order, starting with its first letter."""
    for j in range(len(before) - 1, max(-1, len(before) - len(acronym) - 1), -1):
        span = [x.lower() for x in before[j:]]
        if span[0][0] != acronym[0]:
            continue
        initials = iter(acronym)
        if not all(any(c == x[0] for c in initials) for x in span):
            continue
        letters = iter("".join(span))
        if all(c in letters for c in acronym):
            return j
    return None


def _reference_words(onet: Path, esco: Path) -> Counter:
    """Lower-case word counts of everyday English: O*NET and ESCO occupation descriptions."""
    counts: Counter = Counter()
    texts = pl.read_csv(onet / "Occupation Data.txt", separator="\t", quote_char=None, infer_schema=False)["Description"].to_list()
    occ = esco / "esco_v1.0-1.1_MohamedGouaouri" / "occupations_en.csv"
    texts += pl.read_csv(occ, infer_schema=False)["description"].drop_nulls().to_list()
    # ESCO skill labels are everyday English phrases too ("use spreadsheets
    # software", "fast food"); product names in them are capitalised.
    texts += pl.read_csv(esco / "esco_skills_labels_KonstantinosPetrakis" / "skills.csv", infer_schema=False)["label"].to_list()
    for t in texts:
        counts.update(re.findall(r"(?<![A-Za-z])[a-z][a-z+#]*", t))
    return counts


def build(onet: Path, esco: Path, out: Path | None = None) -> dict:
    """Derive config/taxonomies/skills.csv.gz from O*NET 29.3 and the ESCO files."""
    rules = load_config(RULES)
    out = out or taxonomy_dir()
    tech = pl.read_csv(onet / "Technology Skills.txt", separator="\t", quote_char=None, infer_schema=False)
    examples = tech.group_by("Example").agg(
        (pl.col("Hot Technology") == "Y").any().alias("hot"),
        pl.col("Commodity Title").first().alias("commodity"),
    ).sort("Example")
    rows: list[dict] = []

    # How many occupations list an example: breaks ties between skills claiming one alias.
    n_occ = dict(tech.group_by("Example").agg(pl.col("O*NET-SOC Code").n_unique()).iter_rows())

    def add(alias: str, skill_id: str, skill_name: str, kind: str, source: str, hot=None, uri=None) -> None:
        rows.append({"alias": alias, "skill_id": skill_id, "skill_name": skill_name, "alias_kind": kind,
                     "source": source, "hot_technology": hot, "esco_uri": uri,
                     "_n_occ": n_occ.get(skill_name, 0) if source != "esco" else 0})

    names = set(examples["Example"])
    for name, hot, _ in examples.iter_rows():
        for alias, kind in _onet_aliases(name, rules):
            add(alias, _slug(name), name, kind, "onet_technology_skills", hot)
    for alias, target in (rules.get("extra_aliases") or {}).items():
        if target not in names:
            raise ValueError(f"config/{RULES}.yml extra_aliases: {alias!r} → {target!r}, which is not an O*NET example name; fix the target")
        add(str(alias), _slug(target), target, "extra", "onet_technology_skills", bool(examples.filter(pl.col("Example") == target)["hot"][0]))
    # credwatch's own additions: concepts postings name all the time that
    # neither O*NET nor ESCO lists by that name (Scrum, CI/CD, TDD, ...).
    for entry in rules.get("curated_skills") or []:
        for alias in [entry["name"], *(entry.get("aliases") or [])]:
            add(str(alias), entry["id"], entry["name"], "curated", "credwatch")
    for title in sorted(set(tech["Commodity Title"])):
        add(title, "commodity-" + _slug(title), title, "commodity", "onet_technology_skills")
        for suffix in rules.get("strip_suffixes") or []:
            if title.lower().endswith(suffix.lower()) and title[: -len(suffix)].strip().count(" ") >= 1:
                add(title[: -len(suffix)].strip(), "commodity-" + _slug(title), title, "commodity", "onet_technology_skills")

    # ESCO: preferred labels of all skills; alternative labels where the files carry them.
    labels = pl.read_csv(esco / "esco_skills_labels_KonstantinosPetrakis" / "skills.csv", infer_schema=False)
    uri = "http://data.europa.eu/esco/skill/"
    esco_uri = {}
    for sid, label in labels.iter_rows():
        add(label, "esco-" + _slug(label), label, "esco_preferred", "esco", uri=uri + sid)
        esco_uri[label] = uri + sid
    # How postings name ESCO skills whose labels are verb phrases ("team player" → "work in teams").
    for alias, target in (rules.get("esco_aliases") or {}).items():
        if target not in esco_uri:
            raise ValueError(f"config/{RULES}.yml esco_aliases: {alias!r} → {target!r}, which is not an ESCO preferred label; fix the target")
        add(str(alias), "esco-" + _slug(target), target, "extra", "esco", uri=esco_uri[target])
    # Alternative labels come from the official ESCO collections only. The
    # MoffApps subset's altLabels are attached to the wrong skills (under
    # "carpentry": "be responsible", "show responsibility"; under
    # "immigration law": "data", "statistics"; 0.2 % of its rows list their
    # own preferred label among them), so it is not used.
    alt_files = [
        esco / "esco_v1.0-1.1_MohamedGouaouri" / f"{c}SkillsCollection_en.csv" for c in ("ict", "transversal", "language")
    ]
    for f in alt_files:
        df = pl.read_csv(f, infer_schema=False).select("conceptUri", "preferredLabel", "altLabels")
        for concept, pref, alts in df.iter_rows():
            add(pref, "esco-" + _slug(pref), pref, "esco_preferred", "esco", uri=concept)
            for alt in re.split(r"\n|\s\|\s", alts or ""):
                alt = alt.strip()
                if alt and alt != pref:
                    add(alt, "esco-" + _slug(pref), pref, "esco_alt", "esco", uri=concept)

    common = _reference_words(onet, esco)
    min_count = rules["common_word_min_count"]
    frame = (
        pl.DataFrame(rows, schema={**{k: v for k, v in DICTIONARY_SCHEMA.items() if k not in ("pattern", "common_word")},
                                   "_n_occ": pl.Int64})
        .with_columns(skill_normalised(pl.col("alias"), rules).str.strip_chars().alias("pattern"))
        .filter(pl.col("pattern").str.len_chars() > 0)
        .with_columns(pl.col("alias_kind").replace_strict({k: i for i, k in enumerate(_ALIAS_PRIORITY)}, return_dtype=pl.Int64).alias("_prio"))
        # one skill per pattern: the highest-priority claimant, then the first by id
        .sort(["pattern", "_prio", "_n_occ", "skill_id"], descending=[False, False, True, False])
        .unique("pattern", keep="first", maintain_order=True)
        .drop("_prio", "_n_occ")
    )
    # An everyday one-word alias is suspect unless it is an ESCO skill's own
    # name ("biology" means biology; "guide", an alternative label of "give
    # advice to others", does not) or one of credwatch's reviewed aliases;
    # two letters or fewer always are ("R", "IT").
    everyday = pl.col("pattern").map_elements(lambda p: common.get(p, 0) >= min_count, return_dtype=pl.Boolean)
    frame = frame.with_columns(
        (
            (~pl.col("pattern").str.contains(" ") & ~pl.col("alias_kind").is_in(["esco_preferred", "extra", "curated"])
             & everyday)
            | pl.col("pattern").str.contains(r"^[a-z0-9]{1,2}$")
        ).alias("common_word")
    ).select(list(DICTIONARY_SCHEMA)).sort("pattern")
    buf = io.StringIO()
    frame.write_csv(buf, quote_style="necessary")
    with gzip.GzipFile(out / "skills.csv.gz", "wb", mtime=0) as fh:
        fh.write(buf.getvalue().encode())
    return {
        "patterns": frame.height,
        "skills": frame["skill_id"].n_unique(),
        "common_word_patterns": int(frame["common_word"].sum()),
        "by_kind": dict(frame.group_by("alias_kind").len().sort("alias_kind").iter_rows()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m transforms.skills", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="rebuild config/taxonomies/skills.csv.gz")
    b.add_argument("--onet", required=True, type=Path, help="O*NET 29.3 folder (Technology Skills.txt, Occupation Data.txt)")
    b.add_argument("--esco", required=True, type=Path, help="folder of the ESCO extracts (../shared/data/esco)")
    args = ap.parse_args(argv)
    print(build(args.onet, args.esco))
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths
from transforms.extract import MENTION_SCHEMA, mention_rule, strength_of_rule
from transforms.registry import NORMALISE_PATTERN

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
    pre = _pre_normalise(rules)
    e = expr.str.to_lowercase()
    if pre:
        e = e.str.replace_many([k for k, _ in pre], [v for _, v in pre])
    return pl.lit(" ") + e.str.replace_all(NORMALISE_PATTERN, " ").str.strip_chars() + pl.lit(" ")


# --------------------------------------------------------------------------- dictionary


def taxonomy_dir() -> Path:
    return paths().config / "taxonomies"


@lru_cache(maxsize=4)
def _read_dictionary(path: str, mtime: float) -> pl.DataFrame:
    return pl.read_csv(path, schema=DICTIONARY_SCHEMA)


def load_dictionary(plain: bool = False, rules: dict | None = None) -> pl.DataFrame:
    """The skill dictionary as matched: one row per pattern.

    plain=False (the extractor): everyday-word aliases without a context
    rule and stop-listed aliases are left out, and `ambiguous` says which
    patterns carry a rule. plain=True (the evaluation baseline): every row.
    """
    rules = rules or load_config(RULES)
    path = taxonomy_dir() / "skills.csv.gz"
    if not path.exists():
        raise FileNotFoundError(
            f"skill dictionary {path} is missing; restore it from git or rebuild it with "
            "`python -m transforms.skills build --onet <O*NET 29.3 folder> --esco <ESCO folder>`"
        )
    d = _read_dictionary(str(path), path.stat().st_mtime)
    ambiguous = ambiguous_rules(rules, d)
    d = d.with_columns(pl.col("pattern").is_in(ambiguous["pattern"].implode()).alias("ambiguous"))
    if plain:
        return d
    stop = load_stoplist()
    return d.filter(~pl.col("common_word") | pl.col("ambiguous")).filter(~pl.col("pattern").is_in(stop.implode()))


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


def skill_spans(lines: pl.LazyFrame, posting_text: pl.LazyFrame, dictionary: pl.DataFrame | None = None,
                rules: dict | None = None, extraction_rules: dict | None = None, plain: bool = False) -> pl.LazyFrame:
    """Every skill span found on the lines, before collapsing to the mention grain.

    Columns: posting_key, line_no, line_start, section, line, pattern,
    skill_id, span_start (character offset of the match's leading space in
    the line's normalised text: `skill_normalise(line)`), n_words,
    context_ok, rule, strength, counts_as_demand.

    plain=True is the evaluation baseline: the whole dictionary, every
    overlapping match, no context rules and no stop list.
    """
    rules = rules or load_config(RULES)
    extraction_rules = extraction_rules or load_config("extraction")
    d = dictionary if dictionary is not None else load_dictionary(plain=plain, rules=rules)
    d = d.select("pattern", "skill_id", "ambiguous").unique("pattern", keep="first", maintain_order=True)
    padded = (" " + d["pattern"] + " ").to_list()
    d = d.with_columns((" " + pl.col("pattern") + " ").alias("padded"))

    norm = skill_normalised(pl.col("line"), rules)
    hits = (
        lines.filter(~pl.col("is_heading"))
        .with_columns(norm.alias("norm"))
        .with_columns(
            pl.col("norm").str.extract_many(padded, overlapping=True).alias("padded"),
            pl.col("norm").str.find_many(padded, overlapping=True).alias("span_start"),
        )
        .filter(pl.col("padded").list.len() > 0)
        .drop("norm")
        # The section / perk / negation / strength rule depends on the line
        # only: judge each line once, not each of its matches.
        .with_columns(mention_rule(extraction_rules, pl.lit(True)).alias("_line_rule"))
        .explode(["padded", "span_start"])
        .join(d.lazy(), on="padded", how="inner")
        .with_columns(
            pl.col("span_start").cast(pl.Int64),
            (pl.col("pattern").str.count_matches(" ") + 1).alias("n_words"),
        )
    )
    if not plain:
        # Longest match: drop a match lying wholly inside a longer one on the
        # same line. Sorted by start, longest first, a match is inside an
        # earlier one exactly when some earlier match ends at or after its end.
        end = pl.col("span_start") + pl.col("padded").str.len_bytes()
        hits = (
            hits.with_columns(end.alias("_end"))
            .sort(["posting_key", "line_no", "span_start", "_end"], descending=[False, False, False, True])
            .with_columns(
                pl.col("_end").cum_max().shift(1).over(["posting_key", "line_no"]).alias("_prev_end")
            )
            .filter(pl.col("_prev_end").is_null() | (pl.col("_prev_end") < pl.col("_end")))
            .drop("_end", "_prev_end")
        )
        hits = _apply_context(hits, posting_text, rules)
    else:
        hits = hits.with_columns(pl.lit(True).alias("context_ok"))

    # mention_rule's first test is the context; the rest was judged per line above.
    return (
        hits.with_columns(
            pl.when(pl.col("context_ok")).then(pl.col("_line_rule")).otherwise(pl.lit("ambiguous_no_context")).alias("rule")
        )
        .with_columns(strength_of_rule(pl.col("rule")).alias("strength"))
        .with_columns((pl.col("strength") != "none").alias("counts_as_demand"))
        .select(
            "posting_key", "line_no", "line_start", "section", "line", "pattern", "skill_id",
            "span_start", "n_words", "context_ok", "rule", "strength", "counts_as_demand",
        )
    )


def _apply_context(hits: pl.LazyFrame, posting_text: pl.LazyFrame, rules: dict) -> pl.LazyFrame:
    """context_ok per hit: True for plain aliases; for ambiguous ones, the
    alias's require / exclude regexes on the line and context regex on the
    line or the posting.

    One pass over the hits (a second branch would make Polars run the
    Aho-Corasick scan twice). Patterns are per row and null for plain
    aliases, so only the few ambiguous hits pay for a regex; the posting text
    joined to every hit is a string view, not a copy.
    """
    amb = ambiguous_rules(rules, load_dictionary(plain=True, rules=rules)).with_columns(
        pl.col(c).replace("", None) for c in ("require", "exclude", "context")
    )
    line = pl.col("line")
    ok = (
        line.str.contains(pl.col("require")).fill_null(True)
        & ~line.str.contains(pl.col("exclude")).fill_null(False)
        & (line.str.contains(pl.col("context")) | pl.col("_ptext").str.contains(pl.col("context"))).fill_null(True)
    )
    return (
        hits.join(amb.lazy(), on="pattern", how="left")
        .join(posting_text.select("posting_key", pl.col("text").alias("_ptext")), on="posting_key", how="left")
        .with_columns(pl.when(pl.col("ambiguous")).then(ok).otherwise(True).alias("context_ok"))
        .drop("require", "exclude", "context", "_ptext")
    )


def skill_mentions(lines: pl.LazyFrame, posting_text: pl.LazyFrame, dictionary: pl.DataFrame | None = None,
                   rules: dict | None = None, extraction_rules: dict | None = None) -> pl.LazyFrame:
    """Skill mentions of the given lines, in transforms.extract.MENTION_SCHEMA.

    lines: output of transforms.clean.to_lines (posting_key, line, line_no,
    line_start, section, is_heading). posting_text: (posting_key, text), for
    the context rules of ambiguous names.
    Grain: one row per (posting_key, entity_id, line_no); entity_type 'skill';
    surface is the normalised alias matched (the longest, when a skill is
    matched twice on a line).
    """
    spans = skill_spans(lines, posting_text, dictionary, rules, extraction_rules)
    return (
        spans.sort(["posting_key", "skill_id", "line_no", pl.col("pattern").str.len_chars()],
                   descending=[False, False, False, True])
        .unique(["posting_key", "skill_id", "line_no"], keep="first", maintain_order=True)
        .select(
            "posting_key",
            pl.lit("skill").alias("entity_type"),
            pl.col("skill_id").alias("entity_id"),
            pl.col("pattern").alias("surface"),
            pl.col("line_no").cast(pl.Int64),
            pl.col("line_start").cast(pl.Int64),
            "section",
            "strength",
            "counts_as_demand",
            "rule",
        )
        .cast(MENTION_SCHEMA)
    )


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

"""Occupation coding: job title → O*NET-SOC occupation, with method and confidence.

Input: a frame with `posting_key` and `title`. Output: the same rows with
  soc_code               O*NET-SOC code, e.g. "15-1252.00" (null when not coded)
  soc_title              the O*NET occupation title ("Software Developers")
  soc_major              2-digit SOC major group ("15")
  soc_major_title        its title ("Computer and Mathematical Occupations")
  occupation_method      'exact' | 'normalised' | 'fuzzy' | 'none'
  occupation_confidence  0-1: the method's tier (config/taxonomies/occupation.yml)
                         × the share of O*NET's votes for the title that the
                         chosen occupation holds (1.0 when only one claims it)

Matching, in order, each step only for titles the previous ones left uncoded:
1. exact: the title, lower-cased and whitespace-collapsed, is an O*NET
   occupation title, alternate title, short title or reported title;
2. normalised: the same after normalise_title (seniority, level and
   employment words, parentheses and punctuation removed, plurals folded),
   then the title's first segment ("Registered Nurse - Med/Surg"), then the
   title with leading modifier words dropped ("Payments Software Engineer");
3. fuzzy: rapidfuzz over the DISTINCT normalised titles still uncoded, each
   matched once against the lookup's normalised keys, then joined back.

Steps 1-2 run on the distinct titles of the input (titles repeat a lot) as
Polars joins; only step 3 runs Python, once per distinct leftover title.

The lookup (config/taxonomies/onet/titles.csv.gz) is derived from O*NET 29.3
(CC BY 4.0, USDOL/ETA; see config/taxonomies/onet/README.md) by `build()`:
    python -m transforms.occupation build --onet ../shared/data/onet/onet_29.3
"""
from __future__ import annotations

import argparse
import gzip
import io
import sys
from functools import lru_cache
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths

RULES = "taxonomies/occupation"
ONET_VERSION = "O*NET 29.3 (May 2025)"

OCCUPATION_SCHEMA = {
    "soc_code": pl.String,
    "soc_title": pl.String,
    "soc_major": pl.String,
    "soc_major_title": pl.String,
    "occupation_method": pl.String,
    "occupation_confidence": pl.Float64,
}

# SOC 2018 major groups (U.S. BLS, public domain); O*NET-SOC 2019 codes start with these.
SOC_MAJOR_GROUPS: dict[str, str] = {
    "11": "Management Occupations",
    "13": "Business and Financial Operations Occupations",
    "15": "Computer and Mathematical Occupations",
    "17": "Architecture and Engineering Occupations",
    "19": "Life, Physical, and Social Science Occupations",
    "21": "Community and Social Service Occupations",
    "23": "Legal Occupations",
    "25": "Educational Instruction and Library Occupations",
    "27": "Arts, Design, Entertainment, Sports, and Media Occupations",
    "29": "Healthcare Practitioners and Technical Occupations",
    "31": "Healthcare Support Occupations",
    "33": "Protective Service Occupations",
    "35": "Food Preparation and Serving Related Occupations",
    "37": "Building and Grounds Cleaning and Maintenance Occupations",
    "39": "Personal Care and Service Occupations",
    "41": "Sales and Related Occupations",
    "43": "Office and Administrative Support Occupations",
    "45": "Farming, Fishing, and Forestry Occupations",
    "47": "Construction and Extraction Occupations",
    "49": "Installation, Maintenance, and Repair Occupations",
    "51": "Production Occupations",
    "53": "Transportation and Material Moving Occupations",
    "55": "Military Specific Occupations",
}


def taxonomy_dir() -> Path:
    return paths().config / "taxonomies" / "onet"


# --------------------------------------------------------------------------- title normalisation


def exact_key(expr: pl.Expr) -> pl.Expr:
    """Lower-cased, trimmed, whitespace-collapsed title: the key of the exact step."""
    return expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _without_parentheses(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"\([^)]*\)?|\[[^\]]*\]?", " ")


def normalise_title(expr: pl.Expr, rules: dict | None = None) -> pl.Expr:
    """Normalised title: lower-case; parentheses, punctuation, seniority/level
    and employment-arrangement words removed; plurals folded to singular.
    Null when nothing is left. The lookup's keys are built with this same
    expression, so both sides always agree."""
    rules = rules or load_config(RULES)
    e = _without_parentheses(expr.str.to_lowercase())
    e = e.str.replace_all("&", " and ", literal=True).str.replace_all(r"[^a-z0-9+#]+", " ")
    abbr = rules.get("abbreviations") or {}
    if abbr:
        # Aho-Corasick on space-padded words; run twice so adjacent abbreviations
        # ("hr it") both expand (one pass shares no space between matches).
        pats, repl = [f" {k} " for k in abbr], [f" {v} " for v in abbr.values()]
        e = (pl.lit(" ") + e + pl.lit(" ")).str.replace_many(pats, repl).str.replace_many(pats, repl)
    e = e.str.replace_all(rules["noise_words"], " ").str.replace_all(rules["seniority_anywhere"], " ")
    e = e.str.replace_all(rules["stop_words"], " ")
    e = e.str.replace_all(r"\s+", " ").str.strip_chars()
    for pattern, replacement in (rules.get("abbreviations_last_word") or {}).items():
        e = e.str.replace(rf"\b{pattern}$", replacement)
    e = e.str.replace_all(r"\s+", " ").str.strip_chars()
    e = e.str.replace(rules["seniority_leading"], "").str.replace(rules["seniority_leading"], "")
    # Plurals: O*NET occupation titles are plural ("Registered Nurses"), postings singular.
    e = (
        e.str.replace_all(r"\b([a-z]{2,})ies\b", "${1}y")
        .str.replace_all(r"\b([a-z]+(?:ch|sh|x|ss))es\b", "${1}")
        .str.replace_all(r"\b([a-z]{2,}[a-hj-rtv-z])s\b", "${1}")
    )
    e = e.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(e.str.len_chars() > 0).then(e).otherwise(pl.lit(None, dtype=pl.String))


def title_rest(expr: pl.Expr, rules: dict | None = None) -> pl.Expr:
    """The title's second segment, between the first and second separator."""
    rules = rules or load_config(RULES)
    e = _without_parentheses(expr.str.to_lowercase())
    sep = rules["segment_separator"]
    return e.str.extract(r"^.*?(?:" + sep + r")\s*(.*?)\s*(?:" + sep + r"|$)", 1)


def title_head(expr: pl.Expr, rules: dict | None = None) -> pl.Expr:
    """The title's first segment, before a separator (" - ", ",", " | ", " at "...)."""
    rules = rules or load_config(RULES)
    e = _without_parentheses(expr.str.to_lowercase())
    return e.str.extract(r"^\s*(.*?)\s*(?:" + rules["segment_separator"] + r"|$)", 1)


# --------------------------------------------------------------------------- vendored lookups


@lru_cache(maxsize=4)
def _read_lookup(path: str, mtime: float) -> pl.DataFrame:
    return pl.read_csv(path, schema={"key_type": pl.String, "key": pl.String, "soc_code": pl.String, "share": pl.Float64})


def load_title_lookup() -> pl.DataFrame:
    """(key_type 'exact'|'normalised', key, soc_code, share): one winning SOC per key."""
    path = taxonomy_dir() / "titles.csv.gz"
    if not path.exists():
        raise FileNotFoundError(
            f"title lookup {path} is missing; restore it from git or rebuild it with "
            "`python -m transforms.occupation build --onet <O*NET 29.3 folder>`"
        )
    return _read_lookup(str(path), path.stat().st_mtime)


def load_occupations() -> pl.DataFrame:
    """(soc_code, soc_title, soc_major, soc_major_title) of every O*NET-SOC occupation."""
    path = taxonomy_dir() / "occupations.csv"
    if not path.exists():
        raise FileNotFoundError(f"occupation table {path} is missing; restore it from git or rebuild it (see {__name__})")
    return pl.read_csv(path, schema_overrides={"soc_major": pl.String}).select(
        "soc_code", "soc_title", "soc_major", "soc_major_title"
    )


def load_education_shares() -> pl.DataFrame:
    """(soc_code, share_ba_plus, ...): O*NET Education, Training, and Experience,
    share of respondents saying the job requires a bachelor's degree or higher."""
    return pl.read_csv(taxonomy_dir() / "education_ba_plus.csv")


# --------------------------------------------------------------------------- coding


def _fuzzy(queries: list[str], choices: list[str], rules: dict) -> pl.DataFrame:
    """Best lookup key per query by rapidfuzz, or no row.

    Only keys with the same last word (the head noun: engineer, nurse,
    technician) compete, which also keeps each comparison to a few hundred
    keys. Two passes, the first that finds a key wins:

    1. spelling: character ratio ≥ fuzzy_typo_min_score between titles of the
       same number of words ("Sofware Engineer");
    2. words: rapidfuzz ratio on the sorted words (each distinct word encoded
       as one symbol) ≥ fuzzy_min_score, and every word of the key is in the
       title, so the title may add a word or reorder words ("Automotive Wheel
       Repair Technician" → "Automotive Repair Technician", "Safety Systems
       Engineer" → "System Safety Engineer") but is never read as a narrower
       occupation than it names ("Customer Experience Specialist" is not a
       "Salon Customer Experience Specialist").

    Character scores on their own turned "Case Manager" into "Cage Manager"
    and "Research Associate" into "Search Associate"; hence the strict cut-off
    of pass 1 and the word-level pass 2.
    """
    from rapidfuzz import fuzz, process

    vocab: dict[str, str] = {}

    def encode(text: str) -> str:
        return "".join(sorted(vocab.setdefault(w, chr(0x4E00 + len(vocab))) for w in text.split()))

    by_head: dict[str, tuple[list[str], list[str]]] = {}
    for c in choices:
        keys, codes = by_head.setdefault(c.rsplit(" ", 1)[-1], ([], []))
        keys.append(c)
        codes.append(encode(c))
    out = {"fuzzy_query": [], "fuzzy_key": [], "fuzzy_score": []}
    for q in queries:
        pool = by_head.get(q.rsplit(" ", 1)[-1])
        if not pool:
            continue
        keys, codes = pool
        n_words = q.count(" ")
        same_len = [k for k in keys if k.count(" ") == n_words]
        hit = process.extractOne(q, same_len, scorer=fuzz.ratio, score_cutoff=rules["fuzzy_typo_min_score"]) if same_len else None
        if hit is not None:
            key, score = hit[0], hit[1]
        else:
            q_words = set(q.split())
            key = score = None
            for _, sc, i in process.extract(encode(q), codes, scorer=fuzz.ratio, score_cutoff=rules["fuzzy_min_score"], limit=10):
                if set(keys[i].split()) <= q_words:
                    key, score = keys[i], sc
                    break
            if key is None:
                continue
        out["fuzzy_query"].append(q)
        out["fuzzy_key"].append(key)
        out["fuzzy_score"].append(float(score))
    return pl.DataFrame(out, schema={"fuzzy_query": pl.String, "fuzzy_key": pl.String, "fuzzy_score": pl.Float64})


def code_titles(titles: pl.DataFrame, rules: dict | None = None, lookup: pl.DataFrame | None = None,
                fuzzy: bool = True) -> pl.DataFrame:
    """Code a frame of DISTINCT titles (column `title`); one output row per title."""
    rules = rules or load_config(RULES)
    lookup = lookup if lookup is not None else load_title_lookup()
    conf = rules["confidence"]
    # Keys whose best occupation holds too small a share of O*NET's votes
    # ("engineer", "teacher") say too little to code a title with.
    lookup = lookup.filter(pl.col("share") >= rules["min_share"])
    exact = lookup.filter(pl.col("key_type") == "exact").drop("key_type")
    norm = lookup.filter(pl.col("key_type") == "normalised").drop("key_type")

    head = normalise_title(title_head(pl.col("title"), rules), rules)
    # "Director, Business Development" → "business development director":
    # a one-word head followed by a segment is an inverted title.
    rest = normalise_title(title_rest(pl.col("title"), rules), rules)
    t = titles.select("title").unique().with_columns(
        exact_key(pl.col("title")).alias("k_exact"),
        normalise_title(pl.col("title"), rules).alias("k_norm"),
        head.alias("k_head"),
        pl.when(~head.str.contains(" ") & rest.is_not_null()).then(rest + pl.lit(" ") + head)
        .otherwise(pl.lit(None, dtype=pl.String)).alias("k_inverted"),
    ).with_columns(
        # backoff and fuzzy start from the inverted form when there is one
        pl.coalesce("k_inverted", "k_head").alias("k_core")
    )
    # Backoff candidates: the normalised head without its first 1, 2, ... words.
    max_drop = 6
    words = pl.col("k_core").str.split(" ")
    backoff = (
        t.select(
            "title",
            pl.concat_list(
                [
                    pl.when(words.list.len() - k >= rules["backoff_min_words"])
                    .then(pl.struct(pl.lit(k).alias("drop"), words.list.slice(k).list.join(" ").alias("key")))
                    .otherwise(pl.lit(None))
                    for k in range(1, max_drop + 1)
                ]
            ).alias("cand"),
        )
        .explode("cand")
        .drop_nulls("cand")
        .unnest("cand")
        .join(norm, on="key", how="inner")
        .sort(["title", "drop"])
        .unique("title", keep="first")
        .select(
            "title",
            pl.col("soc_code").alias("soc_backoff"),
            (
                (pl.lit(conf["backoff"]) - (pl.col("drop") - 1) * conf["backoff_step"]).clip(0.0, 1.0) * pl.col("share")
            ).alias("c_backoff"),
        )
    )

    def via(key: str, table: pl.DataFrame, name: str, tier: float) -> pl.DataFrame:
        return table.select(
            pl.col("key").alias(key),
            pl.col("soc_code").alias(f"soc_{name}"),
            (pl.col("share") * tier).alias(f"c_{name}"),
        )

    coded = (
        t.join(via("k_exact", exact, "exact", conf["exact"]), on="k_exact", how="left")
        .join(via("k_norm", norm, "norm", conf["normalised"]), on="k_norm", how="left")
        .join(via("k_inverted", norm, "inverted", conf["head"]), on="k_inverted", how="left")
        .join(via("k_head", norm, "head", conf["head"]), on="k_head", how="left")
        .join(backoff, on="title", how="left")
    )
    steps = ["exact", "norm", "inverted", "head", "backoff"]
    method = (
        pl.when(pl.col("soc_exact").is_not_null()).then(pl.lit("exact"))
        .when(pl.coalesce(*[f"soc_{s}" for s in steps[1:]]).is_not_null()).then(pl.lit("normalised"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    confidence = pl.lit(None, dtype=pl.Float64)
    for step in reversed(steps):
        confidence = pl.when(pl.col(f"soc_{step}").is_not_null()).then(pl.col(f"c_{step}")).otherwise(confidence)
    coded = coded.with_columns(
        method.alias("occupation_method"),
        pl.coalesce(*[f"soc_{s}" for s in steps]).alias("soc_code"),
        confidence.alias("occupation_confidence"),
    )

    if fuzzy:
        left = coded.filter(pl.col("soc_code").is_null() & pl.col("k_core").is_not_null())
        queries = sorted(set(left["k_core"].to_list()))
        if queries:
            matches = _fuzzy(queries, norm["key"].to_list(), rules).join(
                norm.rename({"key": "fuzzy_key"}), on="fuzzy_key", how="inner"
            )
            coded = coded.join(matches, left_on="k_core", right_on="fuzzy_query", how="left").with_columns(
                pl.when(pl.col("soc_code").is_null() & pl.col("fuzzy_key").is_not_null())
                .then(pl.lit("fuzzy")).otherwise("occupation_method").alias("occupation_method"),
                pl.coalesce("soc_code", pl.col("soc_code_right")).alias("soc_code"),
                pl.when(pl.col("soc_code").is_null() & pl.col("fuzzy_key").is_not_null())
                .then(pl.lit(conf["fuzzy"]) * pl.col("fuzzy_score") / 100.0 * pl.col("share"))
                .otherwise("occupation_confidence")
                .alias("occupation_confidence"),
            )

    occupations = load_occupations()
    return (
        coded.join(occupations, on="soc_code", how="left")
        .with_columns(
            pl.col("occupation_method").fill_null("none"),
            pl.col("occupation_confidence").fill_null(0.0).round(3),
        )
        .select("title", *OCCUPATION_SCHEMA)
    )


def code_occupations(lf: pl.LazyFrame, rules: dict | None = None, fuzzy: bool = True) -> pl.LazyFrame:
    """Add the occupation columns to a frame with `posting_key` and `title`.

    The distinct titles are collected and coded once (the fuzzy step is
    Python); the result is joined back lazily, so rows keep their order and
    count. A null title is coded 'none'.
    """
    rules = rules or load_config(RULES)
    distinct = lf.select(pl.col("title").cast(pl.String)).unique().drop_nulls().collect()
    coded = code_titles(distinct, rules, fuzzy=fuzzy)
    return lf.join(coded.lazy(), on="title", how="left", maintain_order="left").with_columns(
        pl.col("occupation_method").fill_null("none"),
        pl.col("occupation_confidence").fill_null(0.0),
    )


# --------------------------------------------------------------------------- building the vendored lookups


def _read_table(path: Path) -> pl.DataFrame:
    """An O*NET file as strings: tab-separated .txt, or .xlsx (needs openpyxl, build time only)."""
    if path.suffix == ".txt":
        return pl.read_csv(path, separator="\t", quote_char=None, infer_schema=False)
    import openpyxl  # noqa: PLC0415 - only the offline build reads Excel

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    data = [["" if v is None else str(v) for v in r] for r in rows]
    return pl.DataFrame(data, schema=header, orient="row")


def _onet_file(onet: Path, stem: str) -> Path:
    for ext in (".txt", ".xlsx"):
        if (onet / f"{stem}{ext}").exists():
            return onet / f"{stem}{ext}"
    raise FileNotFoundError(f"{onet} has no '{stem}.txt' or '{stem}.xlsx'; point --onet at an O*NET database folder")


def _title_votes(onet: Path, rules: dict) -> pl.DataFrame:
    """(title, soc_code, weight): every O*NET title naming an occupation, with its vote."""
    w = rules["source_weights"]
    occ = _read_table(_onet_file(onet, "Occupation Data"))
    votes = [occ.select(pl.col("Title").alias("title"), pl.col("O*NET-SOC Code").alias("soc_code"),
                        pl.lit(w["occupation_title"]).alias("weight"))]
    rep = _read_table(_onet_file(onet, "Sample of Reported Titles"))
    votes.append(rep.select(
        pl.col("Reported Job Title").alias("title"), pl.col("O*NET-SOC Code").alias("soc_code"),
        (pl.lit(w["reported_title"]) + pl.when(pl.col("Shown in My Next Move") == "Y")
         .then(w["reported_title_shown"]).otherwise(0.0)).alias("weight"),
    ))
    alt = _read_table(_onet_file(onet, "Alternate Titles"))
    src_weight = sum(
        (pl.col("Source(s)").str.contains(code).cast(pl.Float64) * weight for code, weight in w["alternate"].items()),
        pl.lit(0.0),
    )
    alt = alt.with_columns(
        pl.max_horizontal(src_weight, pl.lit(w["alternate_default"])).alias("weight")
    )
    for col in ("Alternate Title", "Short Title"):
        votes.append(alt.filter(pl.col(col).is_not_null() & (pl.col(col) != ""))
                     .select(pl.col(col).alias("title"), pl.col("O*NET-SOC Code").alias("soc_code"), "weight"))
    # "HVAC Tech (Heating, Ventilation, and Air Conditioning Technician)": the
    # spelled-out form in parentheses is a title of the same occupation.
    votes.append(
        alt.with_columns(pl.col("Alternate Title").str.extract(r"\(([^)]+)\)\s*$", 1).alias("title"))
        .filter(pl.col("title").str.count_matches(" ") >= 1)
        .select("title", pl.col("O*NET-SOC Code").alias("soc_code"), "weight")
    )
    return pl.concat(votes).with_columns(pl.col("weight").cast(pl.Float64))


def _resolve(votes: pl.DataFrame, key: pl.Expr, occupations: pl.DataFrame, rules: dict, key_type: str) -> pl.DataFrame:
    """One winning SOC per key: sum of votes plus a bonus for words shared with
    the occupation's own title; share = winner's score / all scores of the key."""
    stems = lambda e: e.str.split(" ").list.eval(pl.element().str.slice(0, 5)).list.unique()  # noqa: E731
    occ_words = occupations.select("soc_code", stems(normalise_title(pl.col("soc_title"), rules)).alias("occ_stems"))
    scored = (
        votes.with_columns(key.alias("key"))
        .drop_nulls("key")
        .group_by("key", "soc_code")
        .agg(pl.col("weight").sum())
        .join(occ_words, on="soc_code", how="left")
        .with_columns(stems(pl.col("key")).alias("key_stems"))
        .with_columns(
            (
                pl.col("weight")
                + rules["title_overlap_weight"]
                * pl.col("key_stems").list.set_intersection("occ_stems").list.len()
                / pl.col("key_stems").list.len()
            ).alias("score")
        )
    )
    return (
        scored.with_columns((pl.col("score") / pl.col("score").sum().over("key")).alias("share"))
        # ties: the broader ".00" occupation first, then the lowest code (deterministic)
        .sort(["key", "score", pl.col("soc_code").str.ends_with(".00"), "soc_code"],
              descending=[False, True, True, False])
        .unique("key", keep="first", maintain_order=True)
        .select(pl.lit(key_type).alias("key_type"), "key", "soc_code", pl.col("share").round(3))
    )


def _education_ba_plus(onet: Path) -> pl.DataFrame:
    """Share of O*NET respondents who say the occupation requires a bachelor's
    degree or more: Required Level of Education (2.D.1, scale RL) categories
    6-12 (bachelor's, post-baccalaureate certificate, master's, post-master's
    certificate, first professional degree, doctoral, post-doctoral)."""
    ete = _read_table(_onet_file(onet, "Education, Training, and Experience"))
    return (
        ete.filter((pl.col("Element ID") == "2.D.1") & (pl.col("Scale ID") == "RL"))
        .with_columns(pl.col("Category").cast(pl.Int64), pl.col("Data Value").cast(pl.Float64), pl.col("N").cast(pl.Int64))
        .group_by("O*NET-SOC Code")
        .agg(
            # O*NET's rounded percentages can sum to 100.02: clip to a share
            (pl.col("Data Value").filter(pl.col("Category") >= 6).sum() / 100.0).clip(0.0, 1.0).round(4).alias("share_ba_plus"),
            (pl.col("Data Value").sum() / 100.0).round(3).alias("share_total"),
            pl.col("N").max().alias("n_respondents"),
            pl.col("Domain Source").first().alias("domain_source"),
            pl.col("Date").first().alias("date"),
        )
        .rename({"O*NET-SOC Code": "soc_code"})
        .with_columns(pl.lit("onet").alias("basis"), pl.lit(None, dtype=pl.String).alias("imputed_from"),
                      pl.lit(ONET_VERSION).alias("source_version"))
        .sort("soc_code")
    )


def _impute_missing(edu: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    """Occupations O*NET has no education data for (158 in 29.3, among them
    Software Developers 15-1252.00) get the mean share of the occupations with
    data in the same SOC broad occupation (first five digits, "15-125"), else
    the same minor group ("15-12"); `basis` and `imputed_from` say so."""
    missing = occupations.select("soc_code").join(edu.select("soc_code"), on="soc_code", how="anti")
    known = edu.select("soc_code", "share_ba_plus")
    filled = []
    for level, width in (("broad_group_mean", 6), ("minor_group_mean", 4)):
        group = pl.col("soc_code").str.slice(0, width)
        means = known.group_by(group.alias("g")).agg(
            pl.col("share_ba_plus").mean().round(4), pl.col("soc_code").sort().str.join(" ").alias("imputed_from")
        )
        hit = missing.with_columns(group.alias("g")).join(means, on="g", how="inner").drop("g")
        filled.append(hit.with_columns(pl.lit(level).alias("basis")))
        missing = missing.join(hit.select("soc_code"), on="soc_code", how="anti")
    imputed = pl.concat(filled).with_columns(
        pl.lit(None, dtype=pl.Float64).alias("share_total"), pl.lit(None, dtype=pl.Int64).alias("n_respondents"),
        pl.lit(None, dtype=pl.String).alias("domain_source"), pl.lit(None, dtype=pl.String).alias("date"),
        pl.lit(ONET_VERSION).alias("source_version"),
    )
    return pl.concat([edu, imputed.select(edu.columns)]).sort("soc_code")


def build(onet: Path, out: Path | None = None) -> dict:
    """Derive the vendored lookups from an O*NET database folder (29.3)."""
    rules = load_config(RULES)
    out = out or taxonomy_dir()
    out.mkdir(parents=True, exist_ok=True)
    occ = _read_table(_onet_file(onet, "Occupation Data")).select(
        pl.col("O*NET-SOC Code").alias("soc_code"), pl.col("Title").alias("soc_title")
    ).with_columns(pl.col("soc_code").str.slice(0, 2).alias("soc_major"))
    unknown = set(occ["soc_major"]) - set(SOC_MAJOR_GROUPS)
    if unknown:
        raise ValueError(f"{onet}: SOC major groups {sorted(unknown)} are not in SOC_MAJOR_GROUPS; add their titles")
    occ = occ.with_columns(pl.col("soc_major").replace_strict(SOC_MAJOR_GROUPS).alias("soc_major_title"),
                           pl.lit(ONET_VERSION).alias("source_version")).sort("soc_code")
    occ.write_csv(out / "occupations.csv")

    votes = _title_votes(onet, rules)
    # Votes are pooled per normalised title ("Patient Care Technician" and
    # "Patient Care Technician (PCT)" are one title); an exact key carries the
    # choice of its normalised form, so exact and normalised never disagree.
    norm = _resolve(votes, normalise_title(pl.col("title"), rules), occ, rules, "normalised")
    exact = (
        votes.select(exact_key(pl.col("title")).alias("key"), normalise_title(pl.col("title"), rules).alias("nkey"))
        .unique()
        .join(norm.select(pl.col("key").alias("nkey"), "soc_code", "share"), on="nkey", how="inner")
        .select(pl.lit("exact").alias("key_type"), "key", "soc_code", "share")
    )
    lookup = pl.concat([exact, norm]).sort(["key_type", "key"])
    buf = io.BytesIO()
    lookup.write_csv(buf)
    # mtime=0: the same lookup always gzips to the same bytes
    with gzip.GzipFile(out / "titles.csv.gz", "wb", mtime=0) as fh:
        fh.write(buf.getvalue())

    edu = _impute_missing(_education_ba_plus(onet), occ)
    edu.write_csv(out / "education_ba_plus.csv")
    return {"occupations": occ.height, "lookup_rows": lookup.height, "title_votes": votes.height, "education_rows": edu.height}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m transforms.occupation", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="rebuild config/taxonomies/onet/* from an O*NET database folder")
    b.add_argument("--onet", required=True, type=Path, help="O*NET 29.3 folder (Occupation Data, Alternate Titles, ...)")
    args = ap.parse_args(argv)
    print(build(args.onet))
    return 0


if __name__ == "__main__":
    sys.exit(main())

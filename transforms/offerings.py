"""Catalog offerings: raw catalog items of one week → typed offerings linked to
registry credentials, written to lake/clean/week=<W>/offerings.parquet.

Input partitions: lake/raw/source=<catalog source>/week=<W>/items.jsonl
(OfferingItem lines of every source with `type: catalog` in config/sources.yml).
Output grain: one row per (week, offering_key = source:source_id).

Normalisation (Polars expressions only):
- price: the item's number, else the first amount in `price_raw` ("$1,295.00");
  Credly's "Free" is 0; currency from the item, else the symbol ($ £ €);
- duration_hours: the item's hours, else `duration_raw` read as ISO 8601
  (PT22H, P3D = 3 × 8 h), "N hours", "N days, H hours a day",
  "N weeks, A-B hours/week" (midpoint × N), "N months at H hours a week"
  (× 4.33); Credly's "Weeks"/"Months" say nothing measurable → null;
- level and language lower-cased (language cut to its 2-letter code).

Linking to the registry (`link_offerings`), best link per offering, each with
a method and a score in [0, 1]:
- exam_code     1.00  an exam code of the item (or in its title, course
                      numbers like AZ-104T00 cut to AZ-104) is a registry exam code;
- alias_exact   0.95  the whole title, or the credential the page says it
                      awards, is a registry name/alias;
- alias_in_title 0.85 a registry name/alias occurs in the title (0.80 in the
                      awarded-credential name); ambiguous aliases need a context
                      word in title, description, provider or awarded name;
                      a match inside a longer match of another credential is dropped;
- fuzzy         0.6 × Jaccard: token overlap (Jaccard ≥ 0.6, generic course words
                      removed) between the title and a credential name;
- none          no link (credential_id null).
Degree levels are link targets too (a degree programme leads to a degree).
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths
from transforms.extract import drop_contained, normalised
from transforms.registry import alias_table, load_registry, normalise

RAW_OFFERING_SCHEMA = {
    "source": pl.String, "source_id": pl.String, "url": pl.String, "title": pl.String, "provider": pl.String,
    "offering_type": pl.String, "exam_codes": pl.List(pl.String), "credential_uid": pl.String,
    "duration_hours": pl.Float64, "price": pl.Float64, "currency": pl.String, "level": pl.String,
    "language": pl.String, "last_modified": pl.String, "description": pl.String, "duration_raw": pl.String,
    "price_raw": pl.String, "credential_name": pl.String, "status": pl.String, "week": pl.String,
    "fetched_at": pl.String, "payload_sha256": pl.String,
}
OFFERING_SCHEMA = {
    "week": pl.String, "offering_key": pl.String, "source": pl.String, "source_id": pl.String,
    "provider": pl.String, "title": pl.String, "offering_type": pl.String, "price": pl.Float64,
    "currency": pl.String, "duration_hours": pl.Float64, "level": pl.String, "language": pl.String,
    "url": pl.String, "status": pl.String, "credential_name": pl.String, "description": pl.String,
    "exam_codes": pl.List(pl.String), "credential_id": pl.String, "link_method": pl.String,
    "link_score": pl.Float64, "link_surface": pl.String,
}
LINK_SCORES = {"exam_code": 1.0, "alias_exact": 0.95, "alias_in_title": 0.85, "alias_in_credential": 0.80}
FUZZY_MIN_JACCARD = 0.6
FUZZY_WEIGHT = 0.6  # score = Jaccard × 0.6: fuzzy never beats an alias, and keeps its order
# Words that say "a course about" rather than which credential: ignored by fuzzy matching.
GENERIC_WORDS = ["course", "courses", "training", "prep", "preparation", "exam", "exams", "bootcamp", "boot", "camp",
                 "certification", "certificate", "certified", "professional", "the", "and", "for", "of", "to", "a",
                 "an", "in", "with", "online", "live", "program", "programme", "class", "review", "study", "guide",
                 "fundamentals", "essentials", "introduction", "intro", "complete", "ultimate", "master", "masterclass"]
_EXAM_IN_TEXT = r"\b([A-Z0-9]{2,4}-[A-Z0-9]{2,5})(?:T\d\d)?\b"


def catalog_sources() -> list[str]:
    return [s["name"] for s in load_config("sources")["sources"] if s.get("type") == "catalog"]


def raw_offering_files(week: str) -> list[Path]:
    out = []
    for source in catalog_sources():
        part = paths().raw_partition(source, week)
        f = part / "items.jsonl"
        if (part / "_SUCCESS").exists() and f.exists() and f.stat().st_size:
            out.append(f)
    return out


def read_raw_offerings(week: str) -> pl.LazyFrame:
    files = raw_offering_files(week)
    if not files:
        return pl.LazyFrame(schema=RAW_OFFERING_SCHEMA)
    return pl.concat([pl.scan_ndjson(f, schema=RAW_OFFERING_SCHEMA) for f in files], how="vertical")


def _num(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(",", "").cast(pl.Float64, strict=False)


def parse_hours(raw: pl.Expr) -> pl.Expr:
    """Hours from a duration string (ISO 8601 or the free-text forms providers use); null if unknown."""
    low = raw.str.to_lowercase().str.strip_chars()
    iso_h = _num(low.str.extract(r"^pt(\d+(?:\.\d+)?)h"))
    iso_d = _num(low.str.extract(r"^p(\d+(?:\.\d+)?)d$")) * 8
    days = _num(low.str.extract(r"(\d+(?:\.\d+)?)\s*days?")) * _num(low.str.extract(r"(\d+(?:\.\d+)?)\s*hours? (?:a|per) day"))
    per_week_lo = _num(low.str.extract(r"(\d+(?:\.\d+)?)(?:\s*-\s*\d+(?:\.\d+)?)?\s*hours?\s*(?:/|a |per )\s*week"))
    per_week_hi = _num(low.str.extract(r"\d+(?:\.\d+)?\s*-\s*(\d+(?:\.\d+)?)\s*hours?\s*(?:/|a |per )\s*week"))
    weeks = _num(low.str.extract(r"(\d+(?:\.\d+)?)\s*weeks?"))
    months = _num(low.str.extract(r"(\d+(?:\.\d+)?)\s*months?"))
    weekly = (per_week_lo + pl.coalesce(per_week_hi, per_week_lo)) / 2
    plain = _num(low.str.extract(r"^(?:about |approx\.? |approximately )?(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\b"))
    return pl.coalesce(iso_h, iso_d, days, weekly * weeks, weekly * months * 4.33, plain)


def clean_offerings(raw: pl.LazyFrame, week: str) -> pl.LazyFrame:
    """Typed offerings of one week, one row per offering_key (no links yet)."""
    price_text = pl.col("price_raw").str.to_lowercase()
    symbol_currency = (
        pl.when(pl.col("price_raw").str.contains("£")).then(pl.lit("GBP"))
        .when(pl.col("price_raw").str.contains("€")).then(pl.lit("EUR"))
        .when(pl.col("price_raw").str.contains(r"\$")).then(pl.lit("USD"))
    )
    price = pl.coalesce(
        pl.col("price"),
        pl.when(price_text == "free").then(pl.lit(0.0)),
        _num(pl.col("price_raw").str.extract(r"(\d[\d,]*(?:\.\d+)?)")),
    )
    return (
        raw.filter(pl.col("source_id").is_not_null() & (pl.col("source_id") != "") & pl.col("title").is_not_null())
        .with_columns(
            (pl.col("source") + pl.lit(":") + pl.col("source_id")).alias("offering_key"),
            pl.lit(week).alias("week"),
            pl.col("title").str.strip_chars(),
            pl.col("provider").str.strip_chars(),
            price.alias("price"),
            pl.coalesce(pl.col("currency").str.to_uppercase(), symbol_currency,
                        pl.when(price_text == "free").then(pl.lit("USD"))).alias("currency"),
            pl.coalesce(pl.col("duration_hours"), parse_hours(pl.col("duration_raw"))).alias("duration_hours"),
            pl.col("level").str.to_lowercase(),
            pl.col("language").str.to_lowercase().str.slice(0, 2),
            pl.col("status").str.to_lowercase(),
            pl.col("exam_codes").fill_null([]),
        )
        .sort(["offering_key", "payload_sha256"])
        .unique("offering_key", keep="first", maintain_order=True)
    )


# ------------------------------------------------------------------------ linking
def _alias_frame(registry) -> pl.DataFrame:
    rows = alias_table(registry, include_degrees=True)
    return pl.DataFrame(rows, schema={"pattern": pl.String, "credential_id": pl.String, "surface": pl.String,
                                      "context_any": pl.List(pl.String)}).unique(["pattern", "credential_id"], keep="first",
                                                                                  maintain_order=True)


def _exam_frame(registry) -> pl.DataFrame:
    rows = [{"code": normalise(code), "credential_id": c.id, "surface": code}
            for c in registry.values() for code in c.exam_codes]
    return pl.DataFrame(rows, schema={"code": pl.String, "credential_id": pl.String, "surface": pl.String}).unique(
        ["code", "credential_id"])


def _alias_hits(df: pl.LazyFrame, text_col: str, aliases: pl.DataFrame, method: str) -> pl.LazyFrame:
    patterns = aliases["pattern"].unique(maintain_order=True).to_list()
    hits = (
        df.select("offering_key", "context", normalised(pl.col(text_col)).alias("norm"))
        .filter(pl.col("norm").str.strip_chars() != "")
        .with_columns(pl.col("norm").str.extract_many(patterns, overlapping=True).alias("pattern"))
        .explode("pattern")
        .filter(pl.col("pattern").is_not_null())
        .join(aliases.lazy(), on="pattern")
    )
    hits = drop_contained(hits, ["offering_key"])
    ctx_ok = pl.col("context_any").list.len() == 0
    ctx_words = (
        hits.filter(~ctx_ok).explode("context_any")
        .filter(pl.col("context").str.contains(pl.lit(" ") + pl.col("context_any") + pl.lit(" "), literal=True))
        .select("offering_key", "credential_id", "pattern").unique().with_columns(pl.lit(True).alias("ok"))
    )
    exact = pl.col("norm") == pl.col("pattern")
    score = LINK_SCORES["alias_in_title"] if method == "alias_in_title" else LINK_SCORES["alias_in_credential"]
    return (
        hits.join(ctx_words, on=["offering_key", "credential_id", "pattern"], how="left")
        .filter(ctx_ok | pl.col("ok").fill_null(False))
        .select(
            "offering_key", "credential_id",
            pl.when(exact).then(pl.lit("alias_exact")).otherwise(pl.lit(method)).alias("link_method"),
            pl.when(exact).then(pl.lit(LINK_SCORES["alias_exact"])).otherwise(pl.lit(score)).alias("link_score"),
            pl.col("surface").alias("link_surface"),
            pl.col("pattern").str.len_chars().alias("specificity"),
        )
    )


def link_offerings(offerings: pl.LazyFrame, registry=None) -> pl.LazyFrame:
    """`offerings` (offering_key, title, description, provider, credential_name, exam_codes)
    plus credential_id, link_method, link_score, link_surface (best link; nulls / "none" when unlinked)."""
    registry = registry if registry is not None else load_registry()
    aliases, exams = _alias_frame(registry), _exam_frame(registry)
    base = offerings.with_columns(
        normalised(pl.concat_str([pl.col("title"), pl.col("description"), pl.col("provider"), pl.col("credential_name")],
                                 separator=" ", ignore_nulls=True)).alias("context")
    )
    codes = (
        base.select("offering_key", pl.concat_list(
            pl.col("exam_codes"), pl.col("title").str.extract_all(_EXAM_IN_TEXT)).alias("code"))
        .explode("code")
        .filter(pl.col("code").is_not_null())
        .with_columns(pl.col("code").str.replace(r"T\d\d$", "").map_batches(
            lambda s: s.str.to_lowercase().str.replace_all(r"[^a-z0-9+#]+", " ").str.strip_chars(), return_dtype=pl.String)
            .alias("code"))
        .with_columns((pl.lit(" ") + pl.col("code") + pl.lit(" ")).alias("code"))
        .join(exams.lazy(), on="code")
        .select("offering_key", "credential_id", pl.lit("exam_code").alias("link_method"),
                pl.lit(LINK_SCORES["exam_code"]).alias("link_score"), pl.col("surface").alias("link_surface"),
                pl.col("code").str.len_chars().alias("specificity"))
    )
    title_hits = _alias_hits(base, "title", aliases, "alias_in_title")
    cred_hits = _alias_hits(base.filter(pl.col("credential_name").is_not_null()), "credential_name", aliases,
                            "alias_in_credential")
    candidates = pl.concat([codes, title_hits, cred_hits], how="vertical")
    fuzzy = _fuzzy(base.join(candidates.select("offering_key").unique(), on="offering_key", how="anti"), registry)
    best = (
        pl.concat([candidates, fuzzy], how="vertical")
        .sort(["offering_key", "link_score", "specificity", "credential_id"], descending=[False, True, True, False])
        .unique("offering_key", keep="first", maintain_order=True)
        .drop("specificity")
    )
    return (
        offerings.join(best, on="offering_key", how="left")
        .with_columns(pl.col("link_method").fill_null("none"))
    )


def _tokens(expr: pl.Expr) -> pl.Expr:
    return (normalised(expr).str.strip_chars().str.split(" ")
            .list.eval(pl.element().filter(~pl.element().is_in(GENERIC_WORDS) & (pl.element() != ""))).list.unique())


def _fuzzy(unlinked: pl.LazyFrame, registry) -> pl.LazyFrame:
    """Best credential by token Jaccard of title vs credential name, for offerings no alias linked."""
    names = pl.LazyFrame({"credential_id": [c.id for c in registry.values()], "cname": [c.name for c in registry.values()]})
    left = unlinked.select("offering_key", _tokens(pl.col("title")).alias("t")).filter(pl.col("t").list.len() >= 2)
    right = names.select("credential_id", _tokens(pl.col("cname")).alias("c"), pl.col("cname"))
    pairs = left.join(right, how="cross").with_columns(
        (pl.col("t").list.set_intersection(pl.col("c")).list.len()
         / pl.col("t").list.set_union(pl.col("c")).list.len()).alias("jaccard")
    )
    return pairs.filter(pl.col("jaccard") >= FUZZY_MIN_JACCARD).select(
        "offering_key", "credential_id", pl.lit("fuzzy").alias("link_method"),
        (pl.col("jaccard") * FUZZY_WEIGHT).alias("link_score"),
        pl.col("cname").alias("link_surface"), pl.lit(0, dtype=pl.UInt32).alias("specificity"),
    )


def normalize_offerings(week: str, registry=None) -> pl.DataFrame:
    """The week's catalog offerings, typed and linked (OFFERING_SCHEMA), sorted by key."""
    cleaned = clean_offerings(read_raw_offerings(week), week)
    linked = link_offerings(cleaned, registry)
    return linked.select([pl.col(c).cast(t) for c, t in OFFERING_SCHEMA.items()]).sort("offering_key").collect()


def empty_input(name: str) -> Path:
    """A schema-only Parquet file standing in for a clean partition written before
    catalogs were normalised (so the warehouse deletes and re-inserts nothing)."""
    from transforms.candidates import CANDIDATE_SCHEMA

    schema = {"offerings": OFFERING_SCHEMA, "candidates": CANDIDATE_SCHEMA}[name]
    path = paths().warehouse / "work" / "empty" / f"{name}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        pl.DataFrame(schema=schema).write_parquet(tmp)
        tmp.replace(path)
    return path


def catalog_inputs(partition: Path) -> dict[str, str]:
    """Build parameters offerings_path / candidates_path of a clean partition."""
    out = {}
    for name in ("offerings", "candidates"):
        f = partition / f"{name}.parquet"
        out[f"{name}_path"] = str(f if f.exists() else empty_input(name))
    return out


# ------------------------------------------------------------------------ evaluation
EVAL_FILE = "eval/offering_links.csv"


def evaluate_links(path: Path | None = None, registry=None) -> dict:
    """Precision and recall of `link_offerings` on the labelled sample (config/eval/offering_links.csv).

    A row's link is correct when the predicted credential equals the label.
    precision = correct links / links made; recall = correct links / rows that
    have a label (rows labelled "none" count against precision when linked).
    Returns the numbers plus the misses, for the CLI to print.
    """
    path = path or paths().config / EVAL_FILE
    if not path.exists():
        raise FileNotFoundError(f"labelled sample {path} is missing; restore config/eval/offering_links.csv from git")
    sample = pl.read_csv(path, schema_overrides={c: pl.String for c in
                         ("provider", "title", "credential_name", "exam_codes", "expected_credential_id", "note")})
    registry = registry if registry is not None else load_registry()
    unknown = sorted(set(sample["expected_credential_id"].drop_nulls()) - set(registry))
    if unknown:
        raise ValueError(f"{path}: expected_credential_id values {unknown} are not registry ids; fix the labels")
    offerings = sample.with_row_index("row").select(
        pl.col("row").cast(pl.String).alias("offering_key"), "title", "provider", "credential_name",
        pl.lit(None, dtype=pl.String).alias("description"),
        pl.col("exam_codes").fill_null("").str.split(";").list.eval(pl.element().filter(pl.element() != "")).alias("exam_codes"),
        "expected_credential_id", "note",
    )
    got = link_offerings(offerings.lazy(), registry).collect()
    linked = got.filter(pl.col("credential_id").is_not_null())
    correct = linked.filter(pl.col("credential_id") == pl.col("expected_credential_id")).height
    labelled = got.filter(pl.col("expected_credential_id").is_not_null()).height
    misses = got.filter(pl.col("credential_id").ne_missing(pl.col("expected_credential_id"))).select(
        "title", "expected_credential_id", "credential_id", "link_method", "link_score")
    return {
        "rows": got.height, "labelled": labelled, "negatives": got.height - labelled, "linked": linked.height,
        "correct": correct,
        "precision": correct / linked.height if linked.height else 0.0,
        "recall": correct / labelled if labelled else 0.0,
        "by_method": dict(sorted(got.group_by("link_method").len().iter_rows())),
        "misses": misses.to_dicts(),
    }

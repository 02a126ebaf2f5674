"""Discovery of credentials the registry does not know yet.

Certification-like phrases in posting text and in the titles of catalog
offerings that no registry credential claims land in `credential_candidates`
with counts and examples, so curators grow the registry deliberately
(docs/credentials.md, "Reviewing candidates").

Patterns (Rust regex, case-sensitive: real credential names are capitalised,
"certification reimbursement" is not a name):
- certified        "Salesforce Certified Platform App Builder", "Certified Kubernetes …"
- certificate_in   "Certificate in Data Science"
- certificate      "Google IT Support Professional Certificate", "CompTIA Data+ ce Certification"
- exam_code        AZ-104, SAA-C03, SY0-701, 1Z0-829
A phrase is known (dropped) when it contains a registry name, alias or exam
code (normalised, whole words); offerings already linked to a credential are
not scanned. Output grain: one row per (week, document, candidate_key).
"""
from __future__ import annotations

import polars as pl

from transforms.extract import normalised
from transforms.registry import alias_table, load_registry, normalise

CANDIDATE_SCHEMA = {
    "week": pl.String, "doc_kind": pl.String, "doc_key": pl.String, "candidate_key": pl.String,
    "candidate": pl.String, "kind": pl.String, "example": pl.String,
}
_CAP = r"[A-Z][\w+&.'/-]*"
PATTERNS = {
    "certified": rf"\b(?:{_CAP}\s){{0,4}}Certified(?:\s(?:{_CAP}|in|of|and|for)){{1,6}}",
    "certificate_in": rf"\bCertificate (?:in|of)(?:\s(?:{_CAP}|and|of)){{1,6}}",
    "certificate": rf"\b(?:{_CAP}\s){{1,5}}(?:ce\s)?(?:Professional\s)?(?:Certificate|Certification)\b",
    "exam_code": r"\b[A-Z0-9]{2,4}-[A-Z]{0,2}\d{2,4}\b",
}
# Words that make a phrase generic rather than a credential's name.
_STOP_EDGE = r"^(?:(?:The|A|An|Our|Your|This|Active|Current|Valid|Professional|Industry|Relevant|Any|Other|Must|Hold|Holding|Ideally|Required)\s)+"
EXAMPLE_CHARS = 160


def _phrases(docs: pl.LazyFrame, doc_kind: str, week: str) -> pl.LazyFrame:
    """docs (doc_key, text) → one row per (doc, phrase, kind) with the phrase's line as example."""
    lines = (
        docs.with_columns(pl.col("text").str.split("\n").alias("line"))
        .explode("line")
        .filter(pl.col("line").str.len_chars() > 0)
    )
    parts = []
    for kind, pattern in PATTERNS.items():
        parts.append(
            lines.with_columns(pl.col("line").str.extract_all(pattern).alias("candidate"), pl.lit(kind).alias("kind"))
            .explode("candidate")
            .filter(pl.col("candidate").is_not_null())
        )
    return (
        pl.concat(parts, how="vertical")
        .with_columns(pl.col("candidate").str.replace(_STOP_EDGE, "").str.strip_chars(" .,;:-()"))
        .filter(pl.col("candidate").str.contains(r"\w{2,}.*\s.*\w") | (pl.col("kind") == "exam_code"))
        .select(
            pl.lit(week).alias("week"), pl.lit(doc_kind).alias("doc_kind"), "doc_key",
            normalised(pl.col("candidate")).str.strip_chars().alias("candidate_key"),
            "candidate", "kind", pl.col("line").str.strip_chars().str.slice(0, EXAMPLE_CHARS).alias("example"),
        )
    )


def find_candidates(postings: pl.LazyFrame, offerings: pl.LazyFrame, week: str, registry=None) -> pl.LazyFrame:
    """Unknown certification-like phrases of one week (CANDIDATE_SCHEMA).

    postings: (posting_key, text); offerings: (offering_key, title, credential_name, credential_id).
    """
    registry = registry if registry is not None else load_registry()
    known = sorted({r["pattern"] for r in alias_table(registry, include_degrees=True)}
                   | {normalise(code) for c in registry.values() for code in c.exam_codes})
    docs_p = postings.select(pl.col("posting_key").alias("doc_key"), pl.col("text").fill_null(""))
    docs_o = offerings.filter(pl.col("credential_id").is_null()).select(
        pl.col("offering_key").alias("doc_key"),
        pl.concat_str([pl.col("title"), pl.col("credential_name")], separator="\n", ignore_nulls=True).alias("text"))
    found = pl.concat([_phrases(docs_p, "posting", week), _phrases(docs_o, "offering", week)], how="vertical")
    with_known = found.with_columns(
        (pl.lit(" ") + pl.col("candidate_key") + pl.lit(" ")).str.extract_many(known, overlapping=False).list.len().alias("n_known")
    )
    return (
        with_known.filter(pl.col("n_known") == 0)
        .drop("n_known")
        .sort(["doc_kind", "doc_key", "candidate_key", "example"])
        .unique(["doc_kind", "doc_key", "candidate_key"], keep="first", maintain_order=True)
        .select([pl.col(c).cast(t) for c, t in CANDIDATE_SCHEMA.items()])
    )

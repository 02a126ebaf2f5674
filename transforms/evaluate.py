"""Accuracy of the extractors on gold data: the sections of `credwatch eval`.

Sections (each a function returning the text of its table, registered in
SECTIONS; `credwatch eval --what NAME` runs one, no --what runs all):

- skills: skill spans on the SkillSpan dev set (tests/data/skillspan/dev.json,
  MIT), for transforms.skills (the extractor) and the plain dictionary
  baseline beside it. Method, partial match: a predicted span is correct when
  it overlaps (shares a token with) a gold SKILL or KNOWLEDGE span; a gold
  span is found when a predicted span overlaps it. Exact match: same first
  and last token. P = correct predictions / predictions, R = gold spans found
  / gold spans, F1 = 2PR / (P + R).
  The extractor's predictions are its spans that pass the context rules
  (rule != ambiguous_no_context), whatever their section or strength:
  SkillSpan marks skills, not demand. The baseline is every match of the
  whole dictionary (stop list, everyday-word filter and context rules off,
  overlapping matches all kept).
- occupation: coverage of occupation coding (share of titles coded, by
  method) on the snapshot generator's titles, with agreement against the
  generator's own SOC codes, and, when ../shared/data is present, on real
  Greenhouse and Remotive titles (read in place; tests-only data).

Another section is a function `(args) -> str` added to SECTIONS.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from credwatch.settings import ROOT, load_config
from transforms.skills import RULES as SKILL_RULES
from transforms.skills import skill_normalise, skill_spans

SKILLSPAN_DEV = ROOT / "tests" / "data" / "skillspan" / "dev.json"
SHARED_DATA = ROOT.parent / "shared" / "data"


# --------------------------------------------------------------------------- span metrics


@dataclass(frozen=True)
class SpanScores:
    n_pred: int
    n_gold: int
    precision: float
    recall: float
    f1: float
    exact_precision: float
    exact_recall: float
    exact_f1: float
    recall_skill: float
    recall_knowledge: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def bio_spans(tags: list[str]) -> list[tuple[int, int]]:
    """[start, end) token spans of a BIO tag sequence (a stray I- opens a span)."""
    out, start = [], None
    for i, t in enumerate([*tags, "O"]):
        if t == "O" or t.startswith("B"):
            if start is not None:
                out.append((start, i))
                start = None
            if t.startswith("B"):
                start = i
        elif start is None:  # I- without B-
            start = i
    return out


def span_scores(pred: set[tuple], gold: dict[tuple, str]) -> SpanScores:
    """pred: {(sentence, start, end)}; gold: {(sentence, start, end): 'skill'|'knowledge'}.
    Spans are [start, end) token ranges; overlap = at least one shared token."""
    by_sentence: dict = {}
    for s, a, b in gold:
        by_sentence.setdefault(s, []).append((a, b))
    pred_by_sentence: dict = {}
    for s, a, b in pred:
        pred_by_sentence.setdefault(s, []).append((a, b))

    def overlaps(a, b, spans) -> bool:
        return any(a < y and x < b for x, y in spans)

    tp_pred = sum(overlaps(a, b, by_sentence.get(s, ())) for s, a, b in pred)
    found = {g for g in gold if overlaps(g[1], g[2], pred_by_sentence.get(g[0], ()))}
    exact = len(pred & set(gold))
    p = tp_pred / len(pred) if pred else 0.0
    r = len(found) / len(gold) if gold else 0.0
    ep = exact / len(pred) if pred else 0.0
    er = exact / len(gold) if gold else 0.0
    kinds = {k: [g for g, v in gold.items() if v == k] for k in ("skill", "knowledge")}
    rk = {k: (sum(g in found for g in v) / len(v) if v else 0.0) for k, v in kinds.items()}
    return SpanScores(len(pred), len(gold), p, r, _f1(p, r), ep, er, _f1(ep, er), rk["skill"], rk["knowledge"])


# --------------------------------------------------------------------------- SkillSpan


def load_skillspan(path: Path | None = None, limit: int | None = None) -> list[dict]:
    """Sentences of a SkillSpan JSONL file, in file order (at most `limit`)."""
    path = Path(path or SKILLSPAN_DEV)
    if not path.exists():
        raise FileNotFoundError(f"SkillSpan file {path} is missing; restore tests/data/skillspan/ from git")
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out


def _frames(sentences: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lines (one per sentence, postings = (source, idx)) and posting texts."""
    rows = []
    for i, s in enumerate(sentences):
        rows.append({"posting_key": f"{s['source']}:{s['idx']}", "line": " ".join(s["tokens"]), "sid": i})
    lines = (
        pl.DataFrame(rows)
        .with_columns(pl.int_range(pl.len()).over("posting_key").cast(pl.Int64).alias("line_no"))
        .with_columns(
            ((pl.col("line").str.len_chars() + 1).cum_sum().over("posting_key") - pl.col("line").str.len_chars() - 1)
            .cast(pl.Int64).alias("line_start"),
            pl.lit("body").alias("section"),
            pl.lit(False).alias("is_heading"),
        )
    )
    texts = lines.group_by("posting_key", maintain_order=True).agg(pl.col("line").str.join("\n").alias("text"))
    return lines, texts


def _token_of_word(tokens: list[str], rules: dict) -> list[int] | None:
    """Token index of each word of the sentence's normalised text, or None when
    normalising token by token does not give the sentence's normalised words."""
    words, owner = [], []
    for t_i, tok in enumerate(tokens):
        for w in skill_normalise(tok, rules).split():
            words.append(w)
            owner.append(t_i)
    return owner if words == skill_normalise(" ".join(tokens), rules).split() else None


def predicted_spans(sentences: list[dict], plain: bool = False) -> tuple[set[tuple], int]:
    """Token spans {(sentence, start, end)} found by the extractor (plain=False)
    or the dictionary baseline (plain=True); also the number of sentences
    whose tokens could not be aligned with the normalised text (skipped)."""
    rules = load_config(SKILL_RULES)
    lines, texts = _frames(sentences)
    spans = skill_spans(
        lines.lazy().drop("sid"), texts.lazy(), rules=rules, plain=plain
    ).collect().join(lines.select("posting_key", "line_no", "sid"), on=["posting_key", "line_no"])
    if not plain:
        spans = spans.filter(pl.col("context_ok"))
    owners = {}
    unaligned = 0
    for i, s in enumerate(sentences):
        o = _token_of_word(s["tokens"], rules)
        owners[i] = o
        unaligned += o is None
    out = set()
    for sid, line, start, n_words in spans.select("sid", "line", "span_start", "n_words").iter_rows():
        owner = owners[sid]
        if owner is None:
            continue
        norm = skill_normalise(line, rules)
        w0 = norm[: start + 1].count(" ") - 1
        out.add((sid, owner[w0], owner[w0 + n_words - 1] + 1))
    return out, unaligned


def gold_spans(sentences: list[dict]) -> dict[tuple, str]:
    gold = {}
    for i, s in enumerate(sentences):
        for kind in ("skill", "knowledge"):
            for a, b in bio_spans(s[f"tags_{kind}"]):
                gold.setdefault((i, a, b), kind)
    return gold


def evaluate_skillspan(path: Path | None = None, limit: int | None = None, baseline: bool = True) -> dict:
    """Scores of the extractor and (baseline=True) the dictionary baseline on SkillSpan.

    Returns {"sentences", "gold_spans", "unaligned_sentences",
    "extractor": SpanScores-as-dict, "baseline": SpanScores-as-dict or None}.
    """
    sentences = load_skillspan(path, limit)
    gold = gold_spans(sentences)
    ours, unaligned = predicted_spans(sentences, plain=False)
    base = predicted_spans(sentences, plain=True)[0] if baseline else None
    return {
        "sentences": len(sentences),
        "gold_spans": len(gold),
        "unaligned_sentences": unaligned,
        "extractor": span_scores(ours, gold).as_dict(),
        "baseline": span_scores(base, gold).as_dict() if base is not None else None,
    }


def skills_section(args=None) -> str:
    limit = getattr(args, "limit", None)
    r = evaluate_skillspan(limit=limit)
    head = (
        f"Skills: SkillSpan dev ({r['sentences']} sentences, {r['gold_spans']} gold SKILL+KNOWLEDGE spans; "
        f"partial = overlap with a gold span, exact = same token boundaries)"
    )
    cols = ["", "spans", "P", "R", "F1", "exact P", "exact R", "exact F1", "R skill", "R knowledge"]
    rows = []
    for name in ("extractor", "baseline"):
        s = r[name]
        rows.append([
            "transforms.skills" if name == "extractor" else "dictionary baseline",
            str(s["n_pred"]),
            *(f"{s[k]:.3f}" for k in ("precision", "recall", "f1", "exact_precision", "exact_recall", "exact_f1",
                                       "recall_skill", "recall_knowledge")),
        ])
    return head + "\n" + _table(cols, rows)


# --------------------------------------------------------------------------- occupation coding


def occupation_coverage(titles: pl.DataFrame) -> dict:
    """Share of titles (rows, so repeated titles weigh by frequency) coded, by method.

    titles: a frame with `title` (and optionally `truth`, an O*NET-SOC code).
    """
    from transforms.occupation import code_occupations

    coded = code_occupations(
        titles.with_row_index("posting_key").with_columns(pl.col("posting_key").cast(pl.String)).lazy()
    ).collect()
    n = coded.height
    share = {m: 0.0 for m in ("exact", "normalised", "fuzzy", "none")}
    for m, c in coded.group_by("occupation_method").len().iter_rows():
        share[m] = c / n
    out = {"titles": n, "distinct_titles": titles["title"].n_unique(), "coded": 1 - share["none"], **share}
    if "truth" in coded.columns:
        c = coded.filter(pl.col("soc_code").is_not_null())
        out["agree_soc"] = float((c["soc_code"] == c["truth"]).mean()) if c.height else 0.0
        out["agree_major"] = float((c["soc_major"] == c["truth"].str.slice(0, 2)).mean()) if c.height else 0.0
    return out


def snapshot_titles() -> pl.DataFrame:
    """Titles of every posting the snapshot generator creates over its calendar, with its SOC codes."""
    from snapshot.generator import Snapshot

    postings = Snapshot().all_postings()
    return pl.DataFrame({"title": [p.title for p in postings], "truth": [p.soc for p in postings]})


def greenhouse_titles(n: int = 20_000, seed: int = 7) -> pl.DataFrame | None:
    """A sample of distinct real Greenhouse jobs' titles (tests-only data, read in place)."""
    path = SHARED_DATA / "greenhouse-history" / "jobs.jsonl.gz"
    if not path.exists():
        return None
    jobs = pl.read_ndjson(path, schema={"board": pl.String, "id": pl.Int64, "title": pl.String})
    jobs = jobs.unique(["board", "id"], keep="first", maintain_order=True).sort(["board", "id"])
    return jobs.sample(min(n, jobs.height), seed=seed).select("title")


def remotive_titles() -> pl.DataFrame | None:
    path = SHARED_DATA / "remotive" / "remote-jobs-2026-07.json"
    if not path.exists():
        return None
    jobs = json.loads(path.read_text(encoding="utf-8"))["jobs"]
    return pl.DataFrame({"title": [j["title"] for j in jobs]})


def occupation_section(args=None) -> str:
    cols = ["titles", "n", "distinct", "coded", "exact", "normalised", "fuzzy", "none", "agree SOC", "agree major"]
    rows = []
    for name, frame in (("snapshot generator", snapshot_titles()), ("greenhouse sample", greenhouse_titles()),
                        ("remotive", remotive_titles())):
        if frame is None:
            rows.append([name, "absent (../shared/data)"] + [""] * 8)
            continue
        c = occupation_coverage(frame)
        rows.append([
            name, str(c["titles"]), str(c["distinct_titles"]),
            *(f"{c[k]:.3f}" for k in ("coded", "exact", "normalised", "fuzzy", "none")),
            f"{c['agree_soc']:.3f}" if "agree_soc" in c else "",
            f"{c['agree_major']:.3f}" if "agree_major" in c else "",
        ])
    return ("Occupation coding: share of titles coded, by method (agreement: with the generator's own SOC codes)\n"
            + _table(cols, rows))


# --------------------------------------------------------------------------- sections

SECTIONS: dict[str, Callable] = {
    "skills": skills_section,
    "occupation": occupation_section,
}


def run_sections(names: list[str] | None = None, args=None) -> str:
    """Text of the requested sections (all when names is empty), in SECTIONS order."""
    unknown = [n for n in names or [] if n not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown eval section(s) {unknown}; choose from {sorted(SECTIONS)}")
    chosen = [n for n in SECTIONS if not names or n in names]
    return "\n\n".join(SECTIONS[n](args) for n in chosen)


def _table(cols: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(cols, *rows)]
    fmt = lambda r: "  ".join(str(x).ljust(w) if i == 0 else str(x).rjust(w) for i, (x, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([fmt(cols), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)])

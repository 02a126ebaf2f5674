"""Accuracy of credential and degree mentions on the committed gold set.

Gold set: config/eval/gold_mentions.jsonl, one JSON object per posting or
posting section (docs/accuracy.md, "Credentials and degrees gold set", says
how it was built and labelled):
  item_id, origin (skillspan | remotive | handwritten), source_ref, text
  (null for tests-only sources: read in place from ../shared/data),
  credentials [{id, strength}], degrees [{level, strength}], unregistered, note.

Each item is run through the production path: transforms.clean.html_to_text
(Remotive HTML) -> to_lines -> credential_mentions / degree_mentions. Only
mentions that count as demand are predictions. Per item, a credential or
degree level mentioned on several lines keeps its strongest strength
(required > or_equivalent > preferred), as the gold labels do.

Metrics
- credential precision / recall / F1 over (item, credential id) pairs;
- credential strength accuracy: share of true-positive pairs whose strength
  matches the gold strength;
- degree level accuracy: share of items (with a gold or predicted degree
  requirement) whose set of demanded levels equals the gold set; plus degree
  precision / recall over (item, level) and strength accuracy.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from credwatch.settings import ROOT, paths
from transforms.clean import html_to_text, to_lines
from transforms.degrees import degree_mentions
from transforms.extract import credential_mentions

STRENGTH_RANK = {"required": 3, "or_equivalent": 2, "preferred": 1}
# The targets; the regression test asserts them.
TARGETS = {"credential_precision": 0.95, "credential_recall": 0.90, "credential_strength_accuracy": 0.90, "degree_level_accuracy": 0.95}

Extractor = Callable[[pl.DataFrame], pl.DataFrame]


def gold_path() -> Path:
    return paths().config / "eval" / "gold_mentions.jsonl"


def shared_data_dir() -> Path:
    """../shared/data beside the repository (tests-only sources), or $CREDWATCH_SHARED_DATA."""
    return Path(os.environ.get("CREDWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))


def load_gold(path: Path | None = None) -> list[dict]:
    path = Path(path or gold_path())
    if not path.exists():
        raise FileNotFoundError(f"gold set {path} is missing; restore config/eval/gold_mentions.jsonl from git")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for it in items:
        if it.get("text") is None and it.get("origin") != "remotive":
            raise ValueError(f"{path}: item {it.get('item_id')} has no text and no known tests-only source; add its text")
    return items


def item_texts(items: list[dict], data_dir: Path | None = None) -> tuple[pl.DataFrame, list[str]]:
    """(posting_key, text) per item, and the ids skipped because their tests-only source is absent.

    Remotive items carry only labels: their HTML is read in place from
    ../shared/data/remotive/ and cleaned with html_to_text, as the pipeline does.
    """
    data_dir = Path(data_dir or shared_data_dir())
    texts, skipped = [], []
    remotive: dict[str, dict] = {}
    for it in items:
        if it.get("text") is not None:
            texts.append((it["item_id"], it["text"]))
            continue
        ref = it["source_ref"]
        src = data_dir / ref["file"]
        if not src.exists():
            skipped.append(it["item_id"])
            continue
        if ref["file"] not in remotive:
            remotive[ref["file"]] = {str(j["id"]): j for j in json.loads(src.read_text(encoding="utf-8"))["jobs"]}
        job = remotive[ref["file"]].get(str(ref["id"]))
        if job is None:
            raise ValueError(f"gold item {it['item_id']}: posting id {ref['id']} is not in {src}; fix the label's source_ref")
        texts.append((it["item_id"], pl.select(html_to_text(pl.lit(job["description"]))).item()))
    return pl.DataFrame(texts, schema={"posting_key": pl.String, "text": pl.String}, orient="row"), skipped


def production_extractor(postings: pl.DataFrame) -> pl.DataFrame:
    """Credential and degree mentions of (posting_key, text) rows, as normalize_week computes them."""
    lines = to_lines(postings.lazy())
    creds = credential_mentions(lines, postings.lazy())
    degrees = degree_mentions(lines, postings.lazy())
    return pl.concat([creds.collect(), degrees.collect()], how="diagonal")


def _strongest(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    if frame.height == 0:
        return pl.DataFrame(schema={"item_id": pl.String, key: pl.String, "strength": pl.String})
    return (
        frame.with_columns(pl.col("strength").replace_strict(STRENGTH_RANK, default=0, return_dtype=pl.Int8).alias("_r"))
        .sort(["item_id", key, "_r"], descending=[False, False, True])
        .unique(["item_id", key], keep="first", maintain_order=True)
        .select("item_id", key, "strength")
    )


@dataclass
class Scores:
    tp: int
    fp: int
    fn: int
    strength_ok: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def strength_accuracy(self) -> float:
        return self.strength_ok / self.tp if self.tp else 1.0


def _score(gold: pl.DataFrame, pred: pl.DataFrame, key: str) -> tuple[Scores, pl.DataFrame]:
    j = gold.join(pred, on=["item_id", key], how="full", suffix="_pred", coalesce=True)
    tp = j.filter(pl.col("strength").is_not_null() & pl.col("strength_pred").is_not_null())
    s = Scores(
        tp=tp.height,
        fp=j.filter(pl.col("strength").is_null()).height,
        fn=j.filter(pl.col("strength_pred").is_null()).height,
        strength_ok=tp.filter(pl.col("strength") == pl.col("strength_pred")).height,
    )
    errors = j.filter(pl.col("strength").is_null() | pl.col("strength_pred").is_null() | (pl.col("strength") != pl.col("strength_pred")))
    return s, errors.rename({"strength": "gold", "strength_pred": "predicted"}).sort(["item_id", key])


@dataclass
class Report:
    items: int
    skipped: list[str]
    by_origin: dict[str, int]
    credentials: Scores
    degrees: Scores
    degree_items: int
    degree_items_correct: int
    credential_errors: pl.DataFrame
    degree_errors: pl.DataFrame
    per_origin: dict[str, dict] = field(default_factory=dict)

    @property
    def degree_level_accuracy(self) -> float:
        return self.degree_items_correct / self.degree_items if self.degree_items else 1.0

    def metrics(self) -> dict[str, float]:
        return {
            "credential_precision": self.credentials.precision,
            "credential_recall": self.credentials.recall,
            "credential_f1": self.credentials.f1,
            "credential_strength_accuracy": self.credentials.strength_accuracy,
            "degree_level_accuracy": self.degree_level_accuracy,
            "degree_precision": self.degrees.precision,
            "degree_recall": self.degrees.recall,
            "degree_strength_accuracy": self.degrees.strength_accuracy,
        }

    def table(self) -> str:
        m = self.metrics()
        c, d = self.credentials, self.degrees
        lines = [
            f"Credentials and degrees gold set: {self.items} items ({', '.join(f'{k} {v}' for k, v in sorted(self.by_origin.items()))})"
            + (f"; skipped {len(self.skipped)} (tests-only source absent)" if self.skipped else ""),
            f"{'metric':34} {'value':>7} {'target':>7}  counts",
            f"{'credential precision':34} {m['credential_precision']:7.3f} {TARGETS['credential_precision']:7.2f}  tp={c.tp} fp={c.fp}",
            f"{'credential recall':34} {m['credential_recall']:7.3f} {TARGETS['credential_recall']:7.2f}  tp={c.tp} fn={c.fn}",
            f"{'credential F1':34} {m['credential_f1']:7.3f} {'':>7}",
            f"{'credential strength accuracy':34} {m['credential_strength_accuracy']:7.3f} {TARGETS['credential_strength_accuracy']:7.2f}  {c.strength_ok}/{c.tp}",
            f"{'degree level accuracy (per item)':34} {m['degree_level_accuracy']:7.3f} {TARGETS['degree_level_accuracy']:7.2f}  {self.degree_items_correct}/{self.degree_items}",
            f"{'degree precision':34} {m['degree_precision']:7.3f} {'':>7}  tp={d.tp} fp={d.fp}",
            f"{'degree recall':34} {m['degree_recall']:7.3f} {'':>7}  tp={d.tp} fn={d.fn}",
            f"{'degree strength accuracy':34} {m['degree_strength_accuracy']:7.3f} {'':>7}  {d.strength_ok}/{d.tp}",
        ]
        for origin, pm in sorted(self.per_origin.items()):
            lines.append(
                f"  {origin:12} credentials P={pm['credential_precision']:.3f} R={pm['credential_recall']:.3f} "
                f"strength={pm['credential_strength_accuracy']:.3f} | degree level={pm['degree_level_accuracy']:.3f}"
            )
        return "\n".join(lines)


def evaluate(path: Path | None = None, extractor: Extractor | None = None, data_dir: Path | None = None) -> Report:
    """Score `extractor` (default: the production path) on the gold set."""
    items = load_gold(path)
    postings, skipped = item_texts(items, data_dir)
    kept = {it["item_id"]: it for it in items if it["item_id"] not in set(skipped)}
    mentions = (extractor or production_extractor)(postings).filter(pl.col("counts_as_demand"))
    origin = pl.DataFrame({"item_id": list(kept), "origin": [it["origin"] for it in kept.values()]})

    gold_c = pl.DataFrame(
        [(i, c["id"], c["strength"]) for i, it in kept.items() for c in it["credentials"]],
        schema={"item_id": pl.String, "entity_id": pl.String, "strength": pl.String}, orient="row",
    )
    gold_d = pl.DataFrame(
        [(i, d["level"], d["strength"]) for i, it in kept.items() for d in it["degrees"]],
        schema={"item_id": pl.String, "entity_id": pl.String, "strength": pl.String}, orient="row",
    )
    pred = mentions.select(pl.col("posting_key").alias("item_id"), "entity_type", "entity_id", "strength")
    pred_c = _strongest(pred.filter(pl.col("entity_type") == "credential").drop("entity_type"), "entity_id")
    pred_d = _strongest(pred.filter(pl.col("entity_type") == "degree").drop("entity_type"), "entity_id")
    gold_c, gold_d = _strongest(gold_c, "entity_id"), _strongest(gold_d, "entity_id")

    def level_sets(gd: pl.DataFrame, pd_: pl.DataFrame) -> tuple[int, int]:
        g = gd.group_by("item_id").agg(pl.col("entity_id").sort().alias("g"))
        p = pd_.group_by("item_id").agg(pl.col("entity_id").sort().alias("p"))
        j = g.join(p, on="item_id", how="full", coalesce=True)
        return j.height, j.filter(pl.col("g") == pl.col("p")).height

    cs, cerr = _score(gold_c, pred_c, "entity_id")
    ds, derr = _score(gold_d, pred_d, "entity_id")
    n_items, n_ok = level_sets(gold_d, pred_d)

    per_origin = {}
    for o in sorted(set(origin["origin"])):
        ids = origin.filter(pl.col("origin") == o).select("item_id")
        sc, _ = _score(gold_c.join(ids, on="item_id"), pred_c.join(ids, on="item_id"), "entity_id")
        ni, nok = level_sets(gold_d.join(ids, on="item_id"), pred_d.join(ids, on="item_id"))
        per_origin[o] = {
            "credential_precision": sc.precision,
            "credential_recall": sc.recall,
            "credential_strength_accuracy": sc.strength_accuracy,
            "degree_level_accuracy": nok / ni if ni else 1.0,
        }
    return Report(
        items=len(kept),
        skipped=skipped,
        by_origin=dict(origin.group_by("origin").len().iter_rows()),
        credentials=cs,
        degrees=ds,
        degree_items=n_items,
        degree_items_correct=n_ok,
        credential_errors=cerr,
        degree_errors=derr,
        per_origin=per_origin,
    )


def credentials_section(args=None) -> str:
    """The `credentials` section of `credwatch eval` (transforms.evaluate.SECTIONS):
    the metrics table, targets, and the items the extractor got wrong."""
    report = evaluate()
    m = report.metrics()
    missed = [f"{k} {m[k]:.3f} < {t}" for k, t in TARGETS.items() if m[k] < t]
    errors = report.credential_errors.height + report.degree_errors.height
    tail = f"below target: {', '.join(missed)}" if missed else "all targets met"
    return f"{report.table()}\n{tail}; {errors} item-level errors (transforms.evaluate_mentions.main(show_errors=True) lists them)"


def main(show_errors: bool = False) -> int:
    """`credwatch eval --what credentials`: print the table (and errors); 1 when a target is missed."""
    report = evaluate()
    print(report.table())
    if show_errors:
        with pl.Config(tbl_rows=200, fmt_str_lengths=60):
            print("credential errors:\n", report.credential_errors)
            print("degree errors:\n", report.degree_errors)
    m = report.metrics()
    missed = [k for k, t in TARGETS.items() if m[k] < t]
    if missed:
        print("below target: " + ", ".join(f"{k} {m[k]:.3f} < {TARGETS[k]}" for k in missed))
        return 1
    return 0

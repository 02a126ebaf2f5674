"""Credential and degree mentions on the committed gold set (regression guard).

The gold set is config/eval/gold_mentions.jsonl (docs/accuracy.md, section
"Credentials and degrees gold set"). Remotive items are labels only; their
text is read from ../shared/data and they are skipped when it is absent.
"""
from __future__ import annotations

import json

import polars as pl
import pytest

from transforms.degrees import LEVELS
from transforms.evaluate_mentions import TARGETS, evaluate, gold_path, load_gold, production_extractor
from transforms.registry import load_registry

STRENGTHS = {"required", "preferred", "or_equivalent"}


@pytest.fixture(scope="module")
def report():
    return evaluate()


def test_gold_set_is_well_formed():
    items = load_gold()
    assert len(items) >= 150
    assert len({it["item_id"] for it in items}) == len(items), "item ids must be unique"
    registry = load_registry()
    for it in items:
        assert it["origin"] in {"skillspan", "remotive", "handwritten"}, it["item_id"]
        for c in it["credentials"]:
            assert c["id"] in registry, f"{it['item_id']}: {c['id']} is not a registry id"
            assert c["strength"] in STRENGTHS, it["item_id"]
        for d in it["degrees"]:
            assert d["level"] in LEVELS and d["strength"] in STRENGTHS, it["item_id"]
        if it["origin"] == "remotive":
            # tests-only source: only labels keyed by posting id are committed
            assert it["text"] is None and it["source_ref"]["id"], it["item_id"]
        else:
            assert it["text"], it["item_id"]
    # real text, not only hand-written sections
    labelled_real = [it for it in items if it["origin"] != "handwritten" and (it["credentials"] or it["degrees"])]
    assert len(labelled_real) >= 60
    assert "MIT" in (gold_path().parent / "LICENSE-skillspan.txt").read_text()


def test_credential_targets_met(report):
    m = report.metrics()
    assert report.credentials.tp >= 100, "the gold set should hold at least 100 true credential mentions"
    assert m["credential_precision"] >= TARGETS["credential_precision"], report.credential_errors
    assert m["credential_recall"] >= TARGETS["credential_recall"], report.credential_errors
    assert m["credential_strength_accuracy"] >= TARGETS["credential_strength_accuracy"], report.credential_errors


def test_degree_level_does_not_regress(report):
    # Baseline 0.992 (130/131 items) on 2026-11-30; see docs/accuracy.md.
    assert report.degree_level_accuracy >= 0.98, report.degree_errors
    assert report.degrees.recall >= 0.95, report.degree_errors
    assert report.degrees.strength_accuracy >= 0.97, report.degree_errors


def test_degree_level_target(report):
    assert report.degree_level_accuracy >= TARGETS["degree_level_accuracy"], report.degree_errors


def test_a_broken_extractor_scores_lower(report):
    """Ignoring perk/negation/section rules and strength must show in the numbers."""

    def no_rules(postings: pl.DataFrame) -> pl.DataFrame:
        return production_extractor(postings).with_columns(
            pl.lit(True).alias("counts_as_demand"), pl.lit("required").alias("strength")
        )

    broken = evaluate(extractor=no_rules)
    assert broken.credentials.precision < report.credentials.precision
    assert broken.credentials.strength_accuracy < report.credentials.strength_accuracy - 0.1
    assert broken.degree_level_accuracy < report.degree_level_accuracy


def test_perk_and_negation_items_are_in_the_gold_set():
    texts = [it["text"] or "" for it in load_gold()]
    assert any("CPA not required" in t for t in texts)
    assert any("reimbursement" in t.lower() for t in texts)
    assert any("equal opportunity" in t.lower() for t in texts)
    assert any("Bachelor's degree or equivalent experience" in t for t in texts)


def test_eval_section_runs_from_the_cli(capsys):
    from credwatch.cli import main

    assert main(["eval", "--what", "credentials"]) == 0
    out = capsys.readouterr().out
    assert "credential precision" in out and "degree level accuracy" in out


def test_gold_lines_are_json():
    for line in gold_path().read_text(encoding="utf-8").splitlines():
        json.loads(line)

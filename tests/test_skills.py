"""Skill extraction (transforms/skills.py) and its evaluation (transforms/evaluate.py)."""
from __future__ import annotations

import json

import polars as pl
import pytest

from credwatch.settings import ROOT, load_config
from transforms.clean import html_to_text, to_lines
from transforms.evaluate import (
    SKILLSPAN_DEV,
    bio_spans,
    evaluate_skillspan,
    gold_spans,
    load_skillspan,
    predicted_spans,
    span_scores,
)
from transforms.extract import MENTION_SCHEMA
from transforms.registry import normalise
from transforms.skills import (
    RULES,
    ambiguous_rules,
    load_dictionary,
    skill_mentions,
    skill_normalise,
    skill_normalised,
)


def mentions_of(*htmls: str) -> pl.DataFrame:
    """Mentions of postings p0, p1, ... (one extraction run for all: building the
    Aho-Corasick automaton is the fixed cost of a run)."""
    df = pl.DataFrame({"posting_key": [f"p{i}" for i in range(len(htmls))], "html": list(htmls)}).with_columns(
        html_to_text(pl.col("html")).alias("text")
    )
    lines = to_lines(df.lazy().select("posting_key", "text"))
    return skill_mentions(lines, df.lazy().select("posting_key", "text")).collect()


def req(*items: str) -> str:
    return "<h2>Requirements</h2><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


# Every trap posting, extracted in one run; tests look their posting up by name.
TRAPS = {
    "r_react": req("Statistical modelling in R and Python", "Front end in React"),
    "r_and_d": req("Our R&D team builds products", "Work with React and TypeScript"),
    "grade_r": req("Grade R students", "Good communication"),
    "go_lang": req("Backend services in Go and Kubernetes"),
    "golang": req("Golang microservices"),
    "go_to_market": req("Own our go to market strategy", "Go-to-market launches with sales"),
    "go_beyond": req("Ready to go above and beyond", "Python experience"),
    "dotnet": req("C#, C++ and .NET Core", "Node.js and Vue.js", "ASP.NET MVC"),
    "embedded_c": req("Embedded C/C++ on Linux"),
    "c_level": req("Experience presenting to C-level executives and the C suite"),
    "excel_verb": req("Excel in a fast-paced environment"),
    "excel_tool": req("Advanced Excel and pivot tables"),
    "spark_tool": req("Spark and Scala on Databricks"),
    "spark_verb": req("Spark curiosity in our customers"),
    "longest": req("Apache Spark and machine learning"),
    "stoplist": req("Plan and deliver projects", "Design data pipelines"),
    "strength": (
        "<h2>Requirements</h2><ul><li>Python</li><li>Kubernetes or equivalent experience</li></ul>"
        "<h2>Nice to have</h2><ul><li>Terraform</li></ul>"
        "<h2>Benefits</h2><ul><li>Free Java training</li></ul>"
    ),
}


@pytest.fixture(scope="module")
def traps() -> dict[str, pl.DataFrame]:
    m = mentions_of(*TRAPS.values())
    return {name: m.filter(pl.col("posting_key") == f"p{i}") for i, name in enumerate(TRAPS)}


def counted(m: pl.DataFrame, column: str = "entity_id") -> set[str]:
    """Values of `column` of the mentions that passed the context rules (any strength)."""
    return set(m.filter(pl.col("rule") != "ambiguous_no_context")[column])


def test_output_schema_matches_credential_mentions(traps):
    m = traps["strength"]
    assert m.schema == pl.Schema(MENTION_SCHEMA)
    assert set(m["entity_type"]) == {"skill"}
    assert m.select(pl.struct("posting_key", "entity_id", "line_no").is_unique().all()).item()


def test_r_needs_statistical_context_and_is_not_react_or_r_and_d(traps):
    assert {"r", "react", "python"} <= counted(traps["r_react"])
    assert "r" not in counted(traps["r_and_d"])
    assert "react" in counted(traps["r_and_d"])
    assert "r" not in counted(traps["grade_r"])
    # the R of "R&D" is recorded with the rule that rejected it, never as demand
    rd = traps["r_and_d"].filter(pl.col("entity_id") == "r").row(0, named=True)
    assert rd["rule"] == "ambiguous_no_context" and rd["counts_as_demand"] is False


def test_go_is_the_language_only_with_language_context(traps):
    assert "go" in counted(traps["go_lang"])
    assert "go" in counted(traps["golang"])
    assert "go" not in counted(traps["go_to_market"])
    assert "go" not in counted(traps["go_beyond"])


def test_c_sharp_c_plus_plus_dotnet_node(traps):
    got = counted(traps["dotnet"])
    assert {"csharp", "cpp", "microsoft-dotnet-framework", "node-js", "vue-js"} <= got
    assert "c" not in got  # C# and C++ are not C
    assert "c" in counted(traps["embedded_c"])
    assert "c" not in counted(traps["c_level"])


def test_everyday_words_need_their_rule(traps):
    assert "microsoft-excel" not in counted(traps["excel_verb"])
    assert "microsoft-excel" in counted(traps["excel_tool"])
    assert "spark" in counted(traps["spark_tool"], "surface")
    assert "spark" not in counted(traps["spark_verb"], "surface")


def test_longest_match_wins_within_a_line(traps):
    surfaces = set(traps["longest"]["surface"])
    assert {"apache spark", "machine learning"} <= surfaces
    assert not ({"spark", "learning"} & surfaces)


def test_stoplist_and_common_words_are_not_matched(traps):
    assert not ({"plan", "data", "design"} & set(traps["stoplist"]["surface"]))


def test_strength_and_sections_like_credentials(traps):
    m = traps["strength"]
    strength = dict(zip(m["entity_id"], m["strength"]))
    assert strength["python"] == "required"
    assert strength["kubernetes"] == "or_equivalent"
    assert strength["ibm-terraform"] == "preferred"
    benefit = m.filter(pl.col("surface") == "java").row(0, named=True)
    assert benefit["rule"] == "benefits_section" and not benefit["counts_as_demand"]


def test_python_and_polars_normalisers_agree():
    texts = ["C#/C++ & .NET Core", "Node.js, Vue.js; ASP.NET", "  R&D  -- Go(lang)!", "Ünïcode naïve café", "example.net"]
    polars_out = pl.Series(texts).to_frame("t").select(skill_normalised(pl.col("t")).alias("n"))["n"].to_list()
    assert polars_out == [skill_normalise(t) for t in texts]
    assert skill_normalise("Node.js and .NET") == " nodejs and dotnet "
    # the credential normaliser is untouched: dots still become spaces there
    assert normalise(".NET") == " net "


def test_dictionary_is_consistent():
    d = load_dictionary(plain=True)
    assert d["pattern"].is_unique().all()
    assert (d["pattern"] == d["pattern"].str.strip_chars()).all()
    assert (ROOT / "config" / "taxonomies" / "skills.csv.gz").stat().st_size < 5_000_000
    amb = ambiguous_rules(load_config(RULES), d)
    # every configured ambiguous alias exists, and its regexes compile
    configured = {skill_normalise(str(a)).strip() for a in load_config(RULES)["ambiguous"]}
    assert configured <= set(d["pattern"])
    for col in ("require", "exclude", "context"):
        pats = [p for p in amb[col] if p]
        pl.select(pl.lit("x").str.contains(pl.Series(pats)))  # raises on an invalid regex
    hot = d.filter(pl.col("pattern") == "python").row(0, named=True)
    assert hot["hot_technology"] is True and hot["source"] == "onet_technology_skills"


# --------------------------------------------------------------------------- evaluation


def test_bio_spans_and_span_scores_by_hand():
    assert bio_spans(["O", "B", "I", "O", "B", "B", "I"]) == [(1, 3), (4, 5), (5, 7)]
    assert bio_spans(["I", "I", "O"]) == [(0, 2)]
    gold = {(0, 1, 3): "skill", (0, 5, 6): "knowledge", (1, 0, 2): "knowledge"}
    pred = {(0, 2, 3), (0, 5, 6), (1, 4, 5)}
    s = span_scores(pred, gold)
    assert (s.precision, s.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert (s.exact_precision, s.exact_recall) == (pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert s.recall_skill == 1.0 and s.recall_knowledge == 0.5
    assert span_scores(set(), gold).f1 == 0.0


def test_evaluation_runs_on_a_slice_and_scores_are_in_range():
    r = evaluate_skillspan(limit=300)
    assert r["sentences"] == 300 and r["gold_spans"] > 0 and r["unaligned_sentences"] == 0
    for name in ("extractor", "baseline"):
        for k, v in r[name].items():
            if k not in ("n_pred", "n_gold"):
                assert 0.0 <= v <= 1.0, (name, k, v)
    # the context rules, stop list and longest match make fewer, more precise predictions
    assert r["extractor"]["n_pred"] < r["baseline"]["n_pred"]
    assert r["extractor"]["precision"] > r["baseline"]["precision"]


def test_evaluation_numbers_come_from_the_data(tmp_path):
    sentences = load_skillspan(limit=150)
    # Gold that marks exactly what the extractor predicts scores 1.0 ...
    pred, _ = predicted_spans(sentences)
    perfect = []
    for i, s in enumerate(sentences):
        tags = ["O"] * len(s["tokens"])
        for sid, a, b in sorted(pred):
            if sid == i and all(t == "O" for t in tags[a:b]):
                tags[a:b] = ["B"] + ["I"] * (b - a - 1)
        perfect.append({**s, "tags_skill": tags, "tags_knowledge": ["O"] * len(tags)})
    path = tmp_path / "perfect.json"
    path.write_text("\n".join(json.dumps(s) for s in perfect))
    r = evaluate_skillspan(path, baseline=False)
    assert r["extractor"]["precision"] == 1.0 and r["extractor"]["recall"] == 1.0
    # ... and gold with no spans at all gives zero precision.
    empty = tmp_path / "empty.json"
    empty.write_text("\n".join(json.dumps({**s, "tags_skill": ["O"] * len(s["tokens"]),
                                           "tags_knowledge": ["O"] * len(s["tokens"])}) for s in sentences))
    r = evaluate_skillspan(empty, baseline=False)
    assert r["gold_spans"] == 0 and r["extractor"]["precision"] == 0.0
    assert len(gold_spans(sentences)) > 0


def test_skillspan_dev_set_is_vendored_with_its_licence():
    assert SKILLSPAN_DEV.exists() and (SKILLSPAN_DEV.parent / "LICENSE").exists()
    assert "MIT License" in (SKILLSPAN_DEV.parent / "LICENSE").read_text()


def test_eval_command_prints_the_skills_table(capsys):
    from credwatch.cli import main

    assert main(["eval", "--what", "skills", "--limit", "60"]) == 0
    out = capsys.readouterr().out
    assert "transforms.skills" in out and "dictionary baseline" in out and "60 sentences" in out
    assert main(["eval", "--what", "nope"]) == 2
    assert "unknown eval section" in capsys.readouterr().err

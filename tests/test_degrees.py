"""Degree requirements and years of experience (transforms/degrees.py) on hand-written lines."""
from __future__ import annotations

import polars as pl
import pytest

from transforms.clean import html_to_text, to_lines
from transforms.degrees import DEGREE_SCHEMA, EXPERIENCE_SCHEMA, degree_mentions, experience_years


def degrees_of(text: str) -> pl.DataFrame:
    df = pl.DataFrame({"posting_key": ["p"], "text": [text]})
    return degree_mentions(to_lines(df.lazy()), df.lazy()).collect()


def demand(text: str) -> dict[str, str]:
    m = degrees_of(text).filter(pl.col("counts_as_demand"))
    return dict(zip(m["entity_id"], m["strength"]))


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Bachelor's degree or equivalent experience", {"bachelor": "or_equivalent"}),
        ("BS/MS in CS", {"bachelor": "required"}),
        ("Master's preferred", {"master": "preferred"}),
        ("BSN required", {"bachelor": "required"}),
        ("High school diploma or GED", {"high_school": "required"}),
        ("Bachelor's degree in Computer Science required, Master's preferred", {"bachelor": "required", "master": "preferred"}),
        ("B.S. in Electrical Engineering or related field", {"bachelor": "required"}),
        ("Ph.D. in Statistics or a related field", {"doctorate": "required"}),
        ("J.D. from an accredited law school", {"professional": "required"}),
        ("Doctor of Pharmacy (PharmD) degree", {"professional": "required"}),
        ("Associate degree in nursing (ADN or BSN)", {"associate": "required"}),
        ("Degree in Computer Science or equivalent practical experience", {"bachelor": "or_equivalent"}),
        ("Master's degree in Finance or equivalent education", {"master": "required"}),
        ("College degree preferred but not required", {"bachelor": "preferred"}),
        ("Bachelor's degree and 5 years of experience, or Master's degree and 3 years", {"bachelor": "required"}),
        ("A master’s degree in biochemistry", {"master": "required"}),  # curly apostrophe
        ("We prefer a person with a master degree in supply chain", {"master": "preferred"}),
    ],
)
def test_levels_and_strength(line, expected):
    assert demand(f"# Requirements\n- {line}") == expected


@pytest.mark.parametrize(
    "text",
    [
        # a sentence cut at an abbreviation's dot: the next line continues it
        "A Ph.D .\nstipend to which the assistant can apply may open later .",
        "Supervision experience of e.g .\nMSc .\nstudents .",
        "In addition to meeting the formal Ph.D.\nstudy enrolment criteria of the faculty",
        # a slash list goes with the document noun
        "The file must include: a CV and your BSc/MSc diploma",
        "in accordance with the Executive Order regarding the PhD degree .",
    ],
)
def test_programme_documents_and_regulations_are_not_demand(text):
    assert demand(text) == {}


def test_a_continued_line_still_reads_its_own_degree():
    # the next line starts in lower case, but the degree itself is a requirement
    assert demand("# Requirements\nYou hold a Ph.D.\nand three years of postdoctoral research") == {"doctorate": "required"}
    assert demand("Candidates must hold a BSc/MSc degree in physics") == {"bachelor": "required"}


@pytest.mark.parametrize(
    "line",
    [
        "High degree of accuracy and attention to detail",
        "Experience with MS Office; you will work with our Scrum Master",
        "Office in Boston, MA",
        "Sales Associate, weekend shifts",
        "Build a 360-degree view of customers",
        "Familiarity with LLM frameworks",
        "You will supervise PhD students and teach MSc courses",
    ],
)
def test_not_a_degree(line):
    assert degrees_of(f"# Requirements\n- {line}").height == 0


@pytest.mark.parametrize(
    "text, rule",
    [
        ("# Requirements\n- No degree required", "negated"),
        ("# Requirements\n- You are not required to have a computer science degree", "negated"),
        ("# Benefits\n- Tuition reimbursement for your master's degree", "benefits_section"),
        ("# Requirements\n- We will pay for your MBA", "perk_phrase"),
        ("# Requirements\n- The file must include: CV, transcripts and a copy of your Master's degree", "non_demand_context"),
    ],
)
def test_negation_perks_and_documents_are_not_demand(text, rule):
    m = degrees_of(text)
    assert m.height == 1
    assert m["rule"][0] == rule and not m["counts_as_demand"][0] and m["strength"][0] == "none"


def test_eeo_boilerplate_is_not_demand():
    html = (
        "<h2>Requirements</h2><ul><li>Bachelor's degree in Accounting</li></ul>"
        "<p>We are an equal opportunity employer; all qualified applicants receive consideration "
        "without regard to race, sex or religion, whatever their degree of seniority or college degree.</p>"
    )
    text = pl.select(html_to_text(pl.lit(html))).item()
    m = degrees_of(text)
    assert dict(zip(m.filter(pl.col("counts_as_demand"))["entity_id"], m.filter(pl.col("counts_as_demand"))["section"])) == {
        "bachelor": "requirements"
    }
    assert m.filter(pl.col("section") == "eeo")["counts_as_demand"].to_list() == [False]


def test_field_of_study_and_schema():
    m = degrees_of("# Requirements\n- Bachelor's degree in Computer Science, Engineering or a related field\n- BSN required")
    assert dict(zip(m["line_no"], m["field"])) == {1: "computer science", 2: "nursing"}
    assert m.schema == pl.Schema(DEGREE_SCHEMA)
    assert set(m["entity_type"]) == {"degree"}


def test_preferred_section_wins_over_or_equivalent():
    assert demand("# Preferred Qualifications\n- Master's degree in Computer Science or equivalent") == {"master": "preferred"}


def years_of(text: str) -> list[tuple]:
    df = pl.DataFrame({"posting_key": ["p"], "text": [text]})
    out = experience_years(to_lines(df.lazy())).collect()
    assert out.schema == pl.Schema(EXPERIENCE_SCHEMA)
    return list(zip(out["min_years"], out["max_years"], out["strength"]))


@pytest.mark.parametrize(
    "line, expected",
    [
        ("3+ years of experience with Python", [(3, None, "required")]),
        ("5-7 years of experience in sales", [(5, 7, "required")]),
        ("at least two years of professional experience", [(2, None, "required")]),
        ("three (3) years of relevant experience", [(3, None, "required")]),
        ("Ruby (5+ years, expert-level)", [(5, None, "required")]),
        ("2 years of people management experience is a plus", [(2, None, "preferred")]),
        ("5+ years of experience, with at least 3+ years in Go", [(5, None, "required"), (3, None, "required")]),
    ],
)
def test_experience_years(line, expected):
    assert years_of(f"# Requirements\n- {line}") == expected


@pytest.mark.parametrize(
    "line",
    ["Must have resided in the United States for the past three consecutive years", "Founded 20 years ago in Austin", "Candidates must be at least 18 years old"],
)
def test_years_that_are_not_experience(line):
    assert years_of(f"# Requirements\n- {line}") == []


def _clauses_without_prefilter(lines: pl.LazyFrame, cfg: dict) -> pl.LazyFrame:
    """The reference reading: every non-heading line prepared and cut, no degree-word prefilter."""
    from transforms import degrees as D

    head = pl.col("line").shift(-1).over("posting_key", order_by="line_no").str.extract(cfg["continuation_head_pattern"], 1)
    continued = pl.col("line").str.to_lowercase().str.contains(cfg["continued_line_pattern"]) & head.is_not_null()
    line = pl.when(continued).then(pl.col("line").str.replace(r"\s*\.\s*$", "") + pl.lit(" ") + head).otherwise(pl.col("line"))
    cut = (
        pl.col("pline")
        .str.replace_all(cfg["sentence_split_pattern"], D._CUT)
        .str.replace_all(cfg["clause_split_pattern"], D._CUT + "${3}")
    )
    return (
        lines.with_columns(line.alias("_read"))
        .filter(~pl.col("is_heading"))
        .with_columns(D.prepared(pl.col("_read"), cfg).alias("pline"))
        .drop("_read")
        .with_columns(cut.str.split(D._CUT).alias("clause"))
        .with_columns(pl.int_ranges(0, pl.col("clause").list.len()).alias("clause_no"))
        .explode(["clause", "clause_no"])
    )


def test_degree_word_prefilter_changes_nothing(monkeypatch):
    """The fast path (noise phrases blanked only on lines naming a degree word)
    gives exactly the mentions of the reference reading, on the gold set's
    texts and on generated postings."""
    from snapshot.generator import Snapshot
    from transforms import degrees as D
    from transforms.evaluate_mentions import item_texts, load_gold

    gold, _ = item_texts(load_gold())
    snap = Snapshot()
    generated = [(f"g{i}", snap.bench_posting(snap.weeks[0], i).full_text) for i in range(300)]
    df = pl.concat([gold, pl.DataFrame(generated, schema={"posting_key": pl.String, "text": pl.String}, orient="row")])
    lines = to_lines(df.lazy()).collect().lazy()
    fast = degree_mentions(lines, df.lazy()).collect()
    monkeypatch.setattr(D, "_clauses", _clauses_without_prefilter)
    slow = degree_mentions(lines, df.lazy()).collect()
    assert fast.height > 100
    assert fast.sort(fast.columns).equals(slow.sort(slow.columns))

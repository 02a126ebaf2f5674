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
        ("# Requirements\n- The file must include: CV, transcripts and BSc/MSc diploma", "non_demand_context"),
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

"""Cleaning, section detection and credential extraction on hand-written postings."""
from __future__ import annotations

import polars as pl
import pytest

from transforms.clean import html_to_text, to_lines
from transforms.extract import credential_mentions
from transforms.registry import normalise


def mentions_of(html: str) -> pl.DataFrame:
    df = pl.DataFrame({"posting_key": ["p1"], "html": [html]}).with_columns(html_to_text(pl.col("html")).alias("text"))
    lines = to_lines(df.lazy().select("posting_key", "text"))
    return credential_mentions(lines, df.lazy().select("posting_key", "text")).collect()


def demand(html: str) -> dict[str, str]:
    m = mentions_of(html).filter(pl.col("counts_as_demand"))
    return dict(zip(m["entity_id"], m["strength"]))


def test_html_to_text_keeps_structure_and_unescapes_greenhouse_content():
    escaped = "&lt;h2&gt;Requirements&lt;/h2&gt;&lt;ul&gt;&lt;li&gt;Python &amp;amp; SQL&lt;/li&gt;&lt;li&gt;CISSP&lt;/li&gt;&lt;/ul&gt;"
    text = pl.select(html_to_text(pl.lit(escaped))).item()
    assert text.splitlines() == ["# Requirements", "- Python & SQL", "- CISSP"]


def test_sections_detected_from_headings_and_labels():
    html = "<p>Intro</p><h3>What you'll bring</h3><ul><li>a</li></ul><p><strong>Nice to have:</strong></p><ul><li>b</li></ul><h2>Benefits</h2><ul><li>c</li></ul>"
    df = pl.DataFrame({"posting_key": ["p"], "html": [html]}).with_columns(html_to_text(pl.col("html")).alias("text"))
    lines = to_lines(df.lazy().select("posting_key", "text")).collect()
    got = dict(zip(lines["line"], lines["section"]))
    assert got["Intro"] == "body"
    assert got["- a"] == "requirements"
    assert got["- b"] == "preferred"
    assert got["- c"] == "benefits"


def test_required_preferred_or_equivalent_strength():
    html = (
        "<h2>Requirements</h2><ul><li>AWS Certified Solutions Architect - Associate (SAA-C03)</li>"
        "<li>CompTIA Security+ or equivalent experience</li><li>CISSP preferred</li></ul>"
    )
    assert demand(html) == {"aws-saa": "required", "comptia-security-plus": "or_equivalent", "cissp": "preferred"}


@pytest.mark.parametrize(
    "line",
    [
        "We pay for your PMP certification",
        "Tuition and certification reimbursement (e.g. PMP)",
        "We will help you get your PMP",
    ],
)
def test_perks_are_not_demand(line):
    html = f"<h2>Requirements</h2><ul><li>5 years of project work</li><li>{line}</li></ul>"
    assert "pmp" not in demand(html)
    assert "pmp" in set(mentions_of(html)["entity_id"])  # recorded, with the rule that excluded it


def test_benefits_section_and_eeo_are_not_demand():
    html = "<h2>Benefits</h2><ul><li>PMP training</li></ul><p>We are an equal opportunity employer. CISSP</p>"
    assert demand(html) == {}


def test_negation_is_not_demand():
    assert "cissp" not in demand("<h2>Requirements</h2><ul><li>CISSP not required</li></ul>")


def test_ambiguous_acronym_needs_context():
    # CNA outside healthcare is not the nursing credential.
    assert "cna" not in demand("<h2>Requirements</h2><ul><li>Experience with CNA accounts</li></ul>")
    assert "cna" in demand("<h2>Requirements</h2><ul><li>Current CNA certification</li><li>Patient care in a hospital</li></ul>")


def test_whole_words_only():
    # 'RN' inside 'modern', 'PMP' inside 'PMPX' must not match.
    assert demand("<h2>Requirements</h2><ul><li>Modern patient care tools, PMPX</li></ul>") == {}


def test_python_and_polars_normalisation_agree():
    s = "CompTIA Security+, AWS SAA–C03 / C# & Node.js"
    from transforms.extract import normalised

    assert pl.select(normalised(pl.lit(s))).item().strip() == normalise(s).strip()

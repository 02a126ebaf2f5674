"""The planted truths of the offline snapshot web, in one place.

The snapshot generator (snapshot.generator) bakes these trends into the
postings it serves; tests of the marts import the same numbers and assert
the pipeline recovers them. Change a number here and both sides move
together.

Units:
- demand probabilities are fractions of ALL new postings created in a week
  (greenhouse + lever + schemaorg together), not of active postings;
- salary premiums are fractions of the posting's base salary (0.15 = +15 %).

Outside the calendar a planted curve is held flat at its nearest end, so the
three warm-up weeks before the calendar look like its first week.
"""
from __future__ import annotations

from credwatch.weeks import index_between, week_range

CALENDAR: list[str] = week_range("2026-W27", "2026-W42")
SEED = 20261129

PLANTED: dict[str, str] = {
    "rising": "aws-saa",
    "flat": "comptia-security-plus",
    "falling": "pmp",
    "inflating": "google-data-analytics",
}

# (value in the first calendar week, value in the last); linear in between.
DEMAND_CURVES: dict[str, tuple[float, float]] = {
    "aws-saa": (0.02, 0.08),
    "comptia-security-plus": (0.05, 0.05),
    "pmp": (0.08, 0.02),
    "google-data-analytics": (0.03, 0.09),
}

# Role families whose postings may carry each planted credential as demand.
PLANTED_FAMILIES: dict[str, tuple[str, ...]] = {
    "aws-saa": ("software", "cloud_devops", "data"),
    "comptia-security-plus": ("security", "it_support", "cloud_devops"),
    "pmp": ("project_management", "software", "it_support", "finance"),
    "google-data-analytics": ("data", "finance", "hr"),
}

# (premium in the first calendar week, in the last); applied to the posted
# salary of postings that REQUIRE the credential, from their creation week.
SALARY_PREMIUM: dict[str, tuple[float, float]] = {
    "aws-saa": (0.15, 0.15),
    "google-data-analytics": (0.10, 0.0),
}

# Named in benefits sections of ~25 % of all postings ("We reimburse your PMP
# exam fee") and never as demand there: an extractor that counts perks as
# demand sees a flat, high PMP share instead of the planted fall.
PERK_CREDENTIAL = "pmp"
PERK_RATE = 0.25


def calendar_position(week: str) -> float:
    """Where `week` sits in CALENDAR as a fraction 0.0 (first) .. 1.0 (last), clamped."""
    i = index_between(CALENDAR[0], week)
    last = len(CALENDAR) - 1
    return min(max(i, 0), last) / last


def _interpolate(curve: tuple[float, float], week: str) -> float:
    first, last = curve
    return first + (last - first) * calendar_position(week)


def demand_probability(credential_id: str, week: str) -> float:
    """Planted fraction of the week's NEW postings that require `credential_id`.

    Raises KeyError for a credential that is not planted (its demand is
    background noise with no fixed truth curve).
    """
    if credential_id not in DEMAND_CURVES:
        raise KeyError(f"{credential_id!r} is not a planted credential; planted: {sorted(DEMAND_CURVES)}")
    return _interpolate(DEMAND_CURVES[credential_id], week)


def premium(credential_id: str, week: str) -> float:
    """Planted salary premium (fraction of base pay) of postings requiring the credential.

    0.0 for every credential without a planted premium.
    """
    curve = SALARY_PREMIUM.get(credential_id)
    return _interpolate(curve, week) if curve else 0.0

"""Great Expectations suites, as code.

GX 1.x has no Polars backend and its SQLAlchemy path misbehaves with DuckDB
(see STACK-NOTES), so each suite validates a bounded pandas frame read from
the work database. Thresholds come from config/quality.yml.
"""
from __future__ import annotations

import great_expectations as gx
from great_expectations import expectations as gxe


def credential_demand_weekly_suite(q: dict, known_credentials: list[str]) -> gx.ExpectationSuite:
    cfg = q["marts"]["credential_demand_weekly"]
    suite = gx.ExpectationSuite(name="credential_demand_weekly")
    for col in ("week", "credential_id", "active_postings", "mentioning_postings", "demand_share"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=col))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=["week", "credential_id"]))
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="week", regex=r"^\d{4}-W\d{2}$"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="demand_share", min_value=0, max_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="active_postings", min_value=cfg["min_active_postings"]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="mentioning_postings", min_value=0))
    suite.add_expectation(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="active_postings", column_B="mentioning_postings", or_equal=True)
    )
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="credential_id", value_set=known_credentials))
    return suite

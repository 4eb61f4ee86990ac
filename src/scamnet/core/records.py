"""The fraud types that victims' reports, alerts and statistics name.

Records themselves (calls, messages, transfers, reports) are rows of the lake and
the store, validated once on the way in by ``scamnet.ingest`` (its kinds hold the
limits); they have no Python type of their own.
"""

from __future__ import annotations

from enum import StrEnum


class FraudType(StrEnum):
    """The fraud types used in reports, alerts and statistics."""

    IMPERSONATE_AUTHORITY = "impersonate_authority"  # police, procuratorate, government
    CUSTOMER_SERVICE = "customer_service"  # refunds, "your order has a problem"
    LOAN_CREDIT = "loan_credit"
    INVESTMENT = "investment"
    TASK_REBATE = "task_rebate"  # brushing, "likes for money"
    IMPERSONATE_ACQUAINTANCE = "impersonate_acquaintance"  # boss, friend, relative
    ROMANCE = "romance"
    OTHER = "other"

"""insights: card-spending and customer-contact insights for a bank's data-science team.

Data flows one way: files → :mod:`insights.io` (validated against ``data_contracts/``) →
aggregates → small insight tables → charts → notebooks → rendered reports. Everything a
notebook needs is importable from here.
"""

from insights import theme as theme  # registers and enables the house chart theme
from insights.contracts import Contract, ValidationReport, load_contract, validate
from insights.errors import (
    ContractError,
    InsightsError,
    InsufficientHistoryError,
    ParameterError,
    ReportError,
)
from insights.io import load_contacts, load_customers, load_table, load_transactions

__all__ = [
    "Contract",
    "ContractError",
    "InsightsError",
    "InsufficientHistoryError",
    "ParameterError",
    "ReportError",
    "ValidationReport",
    "load_contacts",
    "load_contract",
    "load_customers",
    "load_table",
    "load_transactions",
    "validate",
]
__version__ = "0.1.0"

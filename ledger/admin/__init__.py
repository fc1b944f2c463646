"""The editors' admin: LedgerAdmin (base.py) with its history and revert screens (history.py), the
cited entries' admins (entries.py) and the directory's (directory.py). Every write goes through the
model's services in ledger/services/, as the importer's do."""

from ledger.admin import directory, engagements, entries, intake  # noqa: F401 (intake registers its admin)
from ledger.admin.base import CappedCountPaginator, LedgerAdmin

__all__ = ["CappedCountPaginator", "LedgerAdmin", "directory", "engagements", "entries"]

"""Bringing the exported tables back in, all or nothing, through the same services as the admin.

- parsing.py: files into rows, cells into values (the column specs' codec), every bad cell a
  `Problem` with its line;
- applying.py: the rows written through the services in one transaction (`import_paths`,
  `import_texts`, `import_tables`), with a `Report` per file of what was (or would be) done."""

from ledger.imports.applying import Change, Report, Result, import_paths, import_table, import_tables, import_texts
from ledger.imports.parsing import Problem, detect_table, read_csv

__all__ = [
    "Change",
    "Problem",
    "Report",
    "Result",
    "detect_table",
    "import_paths",
    "import_table",
    "import_tables",
    "import_texts",
    "read_csv",
]

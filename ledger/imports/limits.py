"""What an import accepts before it reads a row: the file's size, columns and rows, its encoding, whole
numbers (ids, years, paragraph numbers) in range, ids not far above the table's own, each entry once
per file, and a reason that fits the history. Every refusal is a sentence an editor can act on."""

import csv
import re
from collections import Counter

from django.db.models import Max

from ledger.models import Pledge

# The history column that keeps an edit's reason (django-simple-history's history_change_reason).
REASON_MAX_LENGTH = Pledge.history.model._meta.get_field("history_change_reason").max_length
ERROR_REASON_TOO_LONG = f"The reason is too long: the history keeps at most {REASON_MAX_LENGTH} characters."

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 100  # the widest table has about 30 columns
MAX_ROWS = 200_000
# A cell may be as long as the file: what the export writes (a long description) imports again.
csv.field_size_limit(MAX_FILE_BYTES)

# A new id (a restore) may lie this far above the table's highest id and the file's row count;
# above that, one stray row would push the id sequence towards its end (2**63 - 1) for good.
ID_MARGIN = 1_000_000
LARGEST_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"[0-9]+")  # str.isdigit() also takes '²' and other digits int() refuses


def size_problem(size: int) -> str | None:
    if size > MAX_FILE_BYTES:
        return (
            f"The file is {size / 1024 / 1024:.0f} MB; an import takes at most {MAX_FILE_BYTES // 1024 // 1024} MB. "
            "Split it into several files."
        )
    return None


def shape_problems(header: list[str], row_count: int) -> list[str]:
    problems = []
    if len(header) > MAX_COLUMNS:
        problems.append(f"The file has {len(header):,} columns; an import takes at most {MAX_COLUMNS}.")
    if row_count > MAX_ROWS:
        problems.append(f"The file has {row_count:,} rows; an import takes at most {MAX_ROWS:,}. Split it.")
    return problems


def duplicate_columns(header: list[str]) -> list[str]:
    """The column names given more than once (one pass, however wide the header)."""
    return sorted(name for name, count in Counter(header).items() if count > 1)


def decode_text(data: bytes, name: str) -> str:
    """The file's text (UTF-8, with or without a byte-order mark), or ValueError in plain words."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{name} is not a UTF-8 text file (byte {error.start + 1} cannot be read): save it as "
            "CSV UTF-8, as the export writes it"
        ) from None
    if "\x00" in text:
        raise ValueError(f"{name} holds binary data (a NUL byte), not CSV text")
    return text


def whole_number(raw: str, what: str) -> int:
    """A cell holding a whole number of 0-9 digits within the database's range, or ValueError."""
    if not WHOLE_NUMBER.fullmatch(raw):
        raise ValueError(f"malformed {what} '{raw[:40]}': write a whole number with the digits 0-9")
    value = int(raw)
    if value > LARGEST_ID:
        raise ValueError(f"{what} '{raw[:40]}' is too large for the database")
    return value


def id_ceiling(model: type, row_count: int) -> int:
    """The highest new id an import of `row_count` rows may give this table."""
    highest = model._default_manager.aggregate(highest=Max("pk"))["highest"] or 0
    return highest + row_count + ID_MARGIN


def id_too_high(pk: int, ceiling: int, verbose_name: str) -> str:
    return (
        f"id {pk} is far above the {verbose_name} ids in the ledger (a new one may be at most {ceiling:,}): "
        "leave the id empty for a new entry"
    )


def repeated_ids(id_cells: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line, message) for each row that gives an id an earlier row of the file already gave."""
    first_line = {}
    repeats = []
    for line, raw in id_cells:
        if raw == "":
            continue
        if raw in first_line:
            repeats.append((line, f"id {raw} is given again (first on line {first_line[raw]}): one row per entry"))
        else:
            first_line[raw] = line
    return repeats


def reason_problem(reason: str) -> str | None:
    return ERROR_REASON_TOO_LONG if len(reason) > REASON_MAX_LENGTH else None


def default_reason(prefix: str, name: str) -> str:
    """'import of <file name>', the name shortened with '…' so the reason fits the history."""
    text = f"{prefix}{name}"
    return text if len(text) <= REASON_MAX_LENGTH else text[: REASON_MAX_LENGTH - 1] + "…"


# A figure of 0 (0 USD, 0 t) is refused, as the admin refuses it: an unknown figure stays empty.
NONZERO_FIELDS = frozenset({"amount", "amount_usd", "quantity"})


def zero_problem(field: str, value) -> str | None:
    if field in NONZERO_FIELDS and value is not None and value == 0:
        return f"{field} is 0: give the figure the source states, or leave the cell empty when it states none"
    return None

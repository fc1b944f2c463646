"""Hostile input for the hardening tests: Hypothesis strategies, the settings profile, and a count
of the cases run.

Profiles (HYPOTHESIS_PROFILE): "ci" (default) keeps `make test` quick; "thorough" runs ten times
as many examples. Neither has a deadline: the tests assert behaviour, never time."""

import atexit
import os
import sys
from collections import Counter
from urllib.parse import quote, quote_from_bytes

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=400)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# -- the values ------------------------------------------------------------------------------------

SQL_FRAGMENTS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE ledger_pledge; --",
    "'; DELETE FROM auth_user; --",
    "1 UNION SELECT username, password FROM auth_user --",
    "1' AND 1=CAST((SELECT version()) AS int) --",
    "'); SELECT pg_sleep(0); --",
    "amount_usd; SELECT 1",
    "-amount_usd, (SELECT 1)",
    "id DESC NULLS FIRST",
    "%",
    "_",
    "%%%%",
    "\\",
    "\\'",
    "'",
    '"',
    "`",
    "NULL",
    "null",
    "None",
    "nan",
    "\x00",
    "a\x00b",
    "__class__",
    "donor__name",
    "donor__user__password",
    "pk__gt",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "{% debug %}",
    "${7*7}",
    "<script>alert(1)</script>",
]

NUMBERS = [
    "0",
    "-0",
    "-1",
    "1.5",
    "1,5",
    "1e3",
    "1e308",
    "1e309",
    "-1e999999",
    "1e-999",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "9" * 400,
    "-" + "9" * 400,
    "0." + "0" * 400 + "1",
    "0x1F",
    "0b101",
    "1_000",
    "１２３",
    "٣",
    "Ⅻ",
    " 7 ",
    "+7",
    "7-",
    "--7",
]

DATES = [
    "2026-02-30",
    "2026-02-29",
    "1900-02-29",
    "2026-13-01",
    "2026-00-10",
    "2026-01-32",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "99999999-01-01",
    "2026-1-1",
    "2026-W05",
    "2026-02-05T25:61:61",
    "2026-02-05T00:00:00+99:00",
    "31/12/2026",
    "12/31/2026",
    "02/30/2026",
    "Feb 30 2026",
    "today",
    "yesterday",
    "1e9",
]

PARAM_NAMES = [
    "page",
    "per_page",
    "sort",
    "order",
    "ordering",
    "o",
    "q",
    "p",
    "e",
    "all",
    "_export",
    "export",
    "format",
    "download",
    "columns",
    "fields",
    "limit",
    "offset",
    "_changelist_filters",
    "_popup",
    "_to_field",
    "next",
    "csrfmiddlewaretoken",
]

control_text = st.text(
    alphabet=st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Co", "Mn", "Zs")), min_size=1, max_size=24
)
any_unicode = st.text(max_size=60)
big_integers = st.integers(min_value=-(10**60), max_value=10**60).map(str)

# Several megabytes: plain ASCII, two-byte UTF-8 and characters that grow when percent-encoded.
multi_megabyte = st.builds(
    lambda unit, megabytes: unit * (megabytes * 1024 * 1024 // len(unit.encode())),
    st.sampled_from(["A", "é", "%", "'", "<"]),
    st.sampled_from([1, 3]),
)
# Long, but under the app's address limit: these reach the filters, the search and the templates.
long_text = st.builds(
    lambda unit, n: (unit * n)[:n],
    st.sampled_from(["A", "é", "%", "' OR 1=1 --", "<b>", "\\", "9"]),
    st.integers(min_value=200, max_value=1300),
)

# Raw bytes in the query string, including sequences that are not UTF-8.
raw_bytes = st.binary(min_size=1, max_size=16).map(lambda b: RawBytes(b))


class RawBytes(bytes):
    """A value sent as its raw bytes, percent-encoded, not as UTF-8 text."""


hostile_value = st.one_of(
    st.sampled_from(SQL_FRAGMENTS),
    st.sampled_from(NUMBERS),
    st.sampled_from(DATES),
    big_integers,
    control_text,
    any_unicode,
    raw_bytes,
    long_text,
    multi_megabyte,
)


def hostile_name(known_names):
    """Parameter names: the page's own (most of the time), the usual suspects, and garbage."""
    options = [st.sampled_from(PARAM_NAMES), any_unicode.filter(bool), st.sampled_from(SQL_FRAGMENTS)]
    if known_names:
        options.insert(0, st.sampled_from(sorted(known_names)))
        options.insert(0, st.sampled_from(sorted(known_names)))
    return st.one_of(*options)


def query_pairs(known_names, known_values=None):
    """A list of (name, value) pairs; names repeat (repeated parameters) as often as they like."""
    value = hostile_value
    if known_values:
        # Mixing in valid values reaches the code behind a first valid filter.
        valid = st.sampled_from(sorted({v for vs in known_values.values() for v in vs}) or [""])
        value = st.one_of(hostile_value, valid)
    pair = st.tuples(hostile_name(known_names), value)
    repeated = st.tuples(hostile_name(known_names), st.lists(value, min_size=2, max_size=5)).map(
        lambda nv: [(nv[0], v) for v in nv[1]]
    )
    return st.one_of(
        st.lists(pair, min_size=1, max_size=6),
        repeated,
        st.tuples(st.lists(pair, max_size=3), repeated).map(lambda t: t[0] + t[1]),
    )


def encode_query(pairs):
    def enc(value):
        if isinstance(value, RawBytes):
            return quote_from_bytes(bytes(value), safe="")
        return quote(value, safe="")

    return "&".join(f"{enc(name)}={enc(value)}" for name, value in pairs)


def describe(pairs, limit=120):
    def short(value):
        text = repr(value)
        return text if len(text) <= limit else f"{text[:limit]}… ({len(value)} chars)"

    return ", ".join(f"{short(n)}={short(v)}" for n, v in pairs)


# -- counting --------------------------------------------------------------------------------------

FUZZ_CASES = Counter()


def count_case(label):
    FUZZ_CASES[label] += 1


@atexit.register
def _report():
    if FUZZ_CASES:
        total = sum(FUZZ_CASES.values())
        detail = ", ".join(f"{label}: {n}" for label, n in sorted(FUZZ_CASES.items()))
        print(f"\nHypothesis cases run: {total} ({detail})", file=sys.stderr)

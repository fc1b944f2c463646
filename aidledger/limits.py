"""Limits on what one public request may cost: a time limit on its queries, and a per-client budget
of expensive requests. One middleware (RequestLimitsMiddleware) covers every public page and export;
the admin (staff only, behind a login) is left out.

Time limit (settings.QUERY_TIME_LIMIT seconds; exports: EXPORT_TIME_LIMIT, from when the view asks
for it with `export_time_limit(request)` until the download's stream is closed):
- SQLite: a timer thread calls the connection's `interrupt()` at the deadline, which stops the
  statement running then ("interrupted"). A timer, not a progress handler: SQLite keeps one progress
  handler per connection, and the table pages' own 250 ms counts (selectors_counts.py) set and clear
  theirs, which would drop a request-wide one.
- PostgreSQL: `SET statement_timeout` for the request's session, sent on the raw connection before the
  request's first query (not logged, so pinned query counts stay as they are) and RESET at the end.
- Both: before each query an execute wrapper checks the deadline, so a page of many quick queries
  stops too.
A query stopped by the limit answers the "this query took too long; narrow it" page: HTTP 503 with
Retry-After, as the database-unavailable page (never a 500; not 504, which tells a proxy and its
monitoring that an upstream gateway failed, when the app answered in time on purpose).

Budget (settings.EXPENSIVE_REQUESTS_PER_MINUTE, EXPENSIVE_REQUESTS_BURST): a token bucket per client
address in the cache. A request spends a token when it runs a text search (`q`), downloads a file
(`_export`), or misses the totals cache (ledger/cache.py calls `spend_expensive()`). An empty bucket
answers HTTP 429 with Retry-After and a page saying when to come back. The default cache is per
process, so each worker keeps its own buckets: a client gets at most workers × the budget."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

EXPENSIVE_PARAMETERS = ("q", "_export")
_current = threading.local()


class QueryTooSlow(Exception):
    """The request's time limit ran out before a query began."""


class RateLimited(Exception):
    """The client spent its budget of expensive requests; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class RequestLimit:
    """The deadline of one request's queries on the default connection."""

    seconds: float
    client: str
    deadline: float = 0.0
    timer: threading.Timer | None = None
    active: bool = False
    # True only while the request's view runs or its stream produces a chunk: between chunks of a
    # stream nobody reads (a test's unread download), other code on this thread runs unlimited.
    in_scope: bool = False
    pg_timeout_set: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.active = True
        connection.execute_wrappers.append(self.wrapper)
        self.restart(self.seconds)

    def restart(self, seconds: float) -> None:
        """A new deadline, `seconds` from now (an export's stream gets a longer one)."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.seconds, self.deadline = seconds, time.monotonic() + seconds
            self.timer = None
            if connection.vendor == "sqlite" and connection.connection is not None:
                self.timer = threading.Timer(seconds, self._interrupt, args=(connection.connection,))
                self.timer.daemon = True
                self.timer.start()
        if connection.vendor == "postgresql" and self.pg_timeout_set:
            self._set_pg_timeout()

    def _interrupt(self, raw) -> None:
        with self.lock:
            if self.active and self.in_scope:
                raw.interrupt()  # thread-safe; stops only a statement running now

    def _set_pg_timeout(self) -> None:
        connection.connection.execute(f"SET statement_timeout = {max(1, int(self.seconds * 1000))}")
        self.pg_timeout_set = True

    def wrapper(self, execute, sql, params, many, context):
        if not self.in_scope:
            return execute(sql, params, many, context)
        if time.monotonic() > self.deadline:
            raise QueryTooSlow
        if connection.vendor == "sqlite" and self.timer is None and connection.connection is not None:
            self.restart(self.deadline - time.monotonic())  # the connection opened after the request began
        if connection.vendor == "postgresql" and not self.pg_timeout_set:
            self._set_pg_timeout()
        return execute(sql, params, many, context)

    def scoped_stream(self, content):
        """The stream's chunks, each produced inside the limit's scope; closing it closes the stream."""
        iterator = iter(content)
        try:
            while True:
                self.in_scope = True
                try:
                    chunk = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.in_scope = False
                yield chunk
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def end(self) -> None:
        with self.lock:
            if not self.active:
                return
            self.active = False
            if self.timer is not None:
                self.timer.cancel()
        if self.wrapper in connection.execute_wrappers:
            connection.execute_wrappers.remove(self.wrapper)
        if self.pg_timeout_set and connection.connection is not None:
            with contextlib.suppress(Exception):  # a broken connection is closed and replaced by Django
                connection.connection.execute("RESET statement_timeout")
        if getattr(_current, "limit", None) is self:
            _current.limit = None


def is_time_limit_error(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) is a query stopped by the request's time limit."""
    while error is not None:
        if isinstance(error, QueryTooSlow):
            return True
        if isinstance(error, OperationalError):
            text = str(error)
            if "interrupted" in text or "statement timeout" in text:
                return True
        error = error.__cause__ or error.__context__
    return False


def client_address(request: HttpRequest) -> str:
    """The client, as the login throttle (django-axes) tells it: behind AXES_PROXY_COUNT proxies, from
    X-Forwarded-For."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def spend_expensive(request: HttpRequest | None = None) -> None:
    """Spend one token of the current client's budget, or raise RateLimited. Outside a public request
    (the admin, a command) nothing is counted."""
    limit = getattr(_current, "limit", None)
    client = client_address(request) if request is not None else (limit.client if limit else None)
    if client is None:
        return
    rate = settings.EXPENSIVE_REQUESTS_PER_MINUTE / 60.0
    burst = settings.EXPENSIVE_REQUESTS_BURST
    key = f"limits:bucket:{client}"
    now = time.time()
    tokens, then = cache.get(key) or (float(burst), now)
    tokens = min(float(burst), tokens + (now - then) * rate)
    if tokens < 1:
        cache.set(key, (tokens, now), 3600)
        raise RateLimited(max(1, int((1 - tokens) / rate) + 1))
    cache.set(key, (tokens - 1, now), 3600)


def export_time_limit(request: HttpRequest) -> None:
    """Give this request's queries the export's longer limit, from now until its stream closes."""
    limit = getattr(_current, "limit", None)
    if limit is not None:
        limit.restart(settings.EXPORT_TIME_LIMIT)


def too_slow_response() -> HttpResponse:
    response = HttpResponse(
        render_to_string("ledger/too_slow.html", {"seconds": settings.QUERY_TIME_LIMIT}), status=503
    )
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def rate_limited_response(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        render_to_string(
            "ledger/rate_limited.html",
            {"retry_after": retry_after, "per_minute": settings.EXPENSIVE_REQUESTS_PER_MINUTE},
        ),
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _limited(request: HttpRequest) -> bool:
    return not any(request.path.startswith(prefix) for prefix in settings.QUERY_TIME_LIMIT_EXEMPT)


class RequestLimitsMiddleware:
    """The time limit and the budget of expensive requests for every public page and export."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _limited(request):
            return self.get_response(request)
        previous = getattr(_current, "limit", None)
        if previous is not None:
            previous.end()  # a stream this thread left unclosed
        limit = RequestLimit(seconds=settings.QUERY_TIME_LIMIT, client=client_address(request))
        _current.limit = limit
        limit.start()
        streaming = False
        limit.in_scope = True
        try:
            if any(request.GET.get(name) for name in EXPENSIVE_PARAMETERS):
                spend_expensive(request)
            response = self.get_response(request)
            if getattr(response, "streaming", False) and response.status_code == 200:
                streaming = True
                # The stream's queries stay limited; the limit ends after the stream's generator is
                # closed (a PostgreSQL COPY still open holds the connection's lock: RESET would wait).
                response._resource_closers.append(limit.end)
                response.streaming_content = limit.scoped_stream(response.streaming_content)
            return response
        except RateLimited as refused:
            return rate_limited_response(refused.retry_after)
        finally:
            limit.in_scope = False
            if not streaming:
                limit.end()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return rate_limited_response(exception.retry_after)
        limit = getattr(_current, "limit", None)
        if is_time_limit_error(exception) and (limit is None or limit.expired() or connection.vendor == "postgresql"):
            return too_slow_response()
        return None

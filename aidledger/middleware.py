"""Site-wide request handling: the database-unavailable page, the address-length limit, addresses
no page can answer (NUL, out-of-range integers in admin lookups), the Content-Security-Policy
header and the login switch for public pages."""

import logging
import re
import sys

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.views.defaults import server_error

logger = logging.getLogger("aidledger.availability")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable_response():
    # Rendered without the request: context processors (the user, messages) would query the
    # database that just failed.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _is_database_error(error):
    while error is not None:
        if isinstance(error, DATABASE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


class DatabaseUnavailableMiddleware:
    """A view (or its template) that cannot reach the database gets the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _is_database_error(exception):
            logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response()
        return None


def server_error_or_unavailable(request, *args, **kwargs):
    """handler500: failures outside the view (sessions, the user lookup in a middleware) come here;
    a database failure among them still gets the 503 page."""
    if _is_database_error(sys.exc_info()[1]):
        logger.error("Database unavailable for %s %s", request.method, request.path)
        return database_unavailable_response()
    return server_error(request, *args, **kwargs)


class PublicPagesLoginMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, switched on by settings.PUBLIC_PAGES_REQUIRE_LOGIN.

    The admin is left to its own login (it already requires one and has its own login page);
    views marked @login_not_required (the login page) stay open."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.PUBLIC_PAGES_REQUIRE_LOGIN:
            return None
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class AddressLengthLimitMiddleware:
    """Refuse an address (path and query string) longer than settings.MAX_ADDRESS_LENGTH with a 400.

    gunicorn refuses a request line over 4094 bytes before the app sees it; this keeps the same
    limit wherever the app runs. Without it, a page that puts the query string into its sort and
    page links answers a 4 MB address with 100 MB of HTML."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if length > settings.MAX_ADDRESS_LENGTH:
            return HttpResponse(
                render_to_string("address_too_long.html", {"limit": settings.MAX_ADDRESS_LENGTH}), status=400
            )
        return self.get_response(request)


LARGEST_INTEGER = 2**63 - 1
INTEGER = re.compile(r"[-+]?[0-9]+")


def _hostile_address(request) -> str | None:
    """Why an address cannot be answered, or None. A NUL character reaches PostgreSQL as an error
    (it cannot store one), and an integer beyond 64 bits overflows SQLite, in any lookup the admin's
    list filters (id__in, status__exact) or its autocomplete take from the address."""
    if "\x00" in request.path:
        return "It holds a NUL character."
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return "It holds a NUL character."
    if request.path.startswith("/admin/"):
        for _key, values in request.GET.lists():
            for value in values:
                for item in value.split(","):
                    item = item.strip()
                    if INTEGER.fullmatch(item) and abs(int(item)) > LARGEST_INTEGER:
                        return "It holds a number too large for the ledger's database."
    return None


class HostileAddressMiddleware:
    """A 400 with a plain page for addresses no page can answer (see _hostile_address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = _hostile_address(request)
        if reason is not None:
            return HttpResponseBadRequest(render_to_string("bad_address.html", {"reason": reason}))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response (Django 5.2 has no CSP of its own).

    The pages load scripts and styles from the app's static files only; the chart's data is a JSON
    block (json_script), which a policy without 'unsafe-inline' allows. With DEBUG on the header is
    report-only, so Django's debug pages (inline styles and scripts) still work and the browser's
    console names what a production policy would block."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "Content-Security-Policy-Report-Only" if settings.DEBUG else "Content-Security-Policy"

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and self.header not in response:
            response[self.header] = settings.CONTENT_SECURITY_POLICY
        return response

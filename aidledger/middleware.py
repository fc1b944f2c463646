"""Site-wide request handling: the database-unavailable page, the address-length limit and the
login switch for public pages."""

import logging
import sys

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
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

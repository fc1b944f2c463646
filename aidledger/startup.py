"""Checks a server runs before it answers its first request (aidledger/wsgi.py, asgi.py).

With DEBUG off the app refuses to serve with a weak SECRET_KEY: one Django's deployment check calls
weak (fewer than 50 characters or 5 distinct ones, or its "django-insecure-" prefix), or a
placeholder from the docs. settings.py already refuses an empty key; the test suite, which runs
with DEBUG off and a short key, never starts a server, so it is not refused."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50
MIN_DISTINCT = 5
PLACEHOLDERS = frozenset({"change-me", "dev-only-insecure-key-do-not-use-in-production"})
ERROR_WEAK_KEY = (
    "SECRET_KEY is too weak to serve with DEBUG off: use at least {length} random characters, e.g. "
    'python -c "import secrets; print(secrets.token_urlsafe(50))" (see .env.example).'
)


def is_weak_secret_key(key: str) -> bool:
    return (
        len(key) < MIN_LENGTH
        or len(set(key)) < MIN_DISTINCT
        or key.startswith("django-insecure-")
        or key in PLACEHOLDERS
    )


def refuse_weak_secret_key() -> None:
    if not settings.DEBUG and is_weak_secret_key(settings.SECRET_KEY):
        raise ImproperlyConfigured(ERROR_WEAK_KEY.format(length=MIN_LENGTH))

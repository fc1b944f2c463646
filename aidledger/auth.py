"""Failed-login throttling (django-axes) in front of Django's ModelBackend."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS; ModelBackend logs users in.

    Every login form on the site (the admin's and /accounts/login/) passes the request, so every
    login over HTTP is counted and throttled. A call without a request cannot come from the web:
    the test client's login() and scripts in `manage.py shell` authenticate that way, and axes
    would refuse them with an exception. They are left to ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

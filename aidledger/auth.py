"""Authentication with failed-login throttling (django-axes)."""

from axes.backends import AxesBackend
from django.contrib.auth.backends import ModelBackend


class ThrottledModelBackend(AxesBackend):
    """Django's ModelBackend behind django-axes' lockout check.

    Every login form on the site (the admin's and /accounts/login/) passes the request, so every
    login over HTTP is counted and throttled. A call without a request cannot come from the web:
    the test client's login() and scripts in `manage.py shell` authenticate that way, and axes
    would refuse them with an exception. They go straight to ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)
        return super().authenticate(request, username=username, password=password, **kwargs)

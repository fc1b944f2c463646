"""Development only: an editor and an analyst to try the admin with (`make demo-users`)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ledger.roles import ANALYSTS, EDITORS

DEMO_PASSWORD = "aid-ledger-demo"


class Command(BaseCommand):
    help = "Create (or reset) the demo users 'editor' (Editors group) and 'analyst' (Analysts group). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help=f"Password for both (default {DEMO_PASSWORD}).")

    def handle(self, *args, password, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for development: run with DEBUG=1 (make demo-users does).")
        User = get_user_model()
        for username, group_name in (("editor", EDITORS), ("analyst", ANALYSTS)):
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            user.is_staff, user.is_active = True, True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(
                f"{'Created' if created else 'Reset'} {username!r} in {group_name}, password {password!r}"
            )

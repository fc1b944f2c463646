"""The data the hardening tests run on: the seed article, one user per role, a history for every
ledger model, and a row in every admin-visible table, so that every admin URL has an address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ledger import roles
from ledger.models import Actor, Citation, Engagement, Person, Pledge, Source, Statement, TradeFigure

PASSWORD = "a-long-correct-password-42"
ROLES = ("anonymous", "analyst", "editor", "superuser")


def role_users():
    """One user per role, made the way the README says to: staff users in the role's group."""
    User = get_user_model()
    users = {"anonymous": None}
    for role, group_name in (("analyst", roles.ANALYSTS), ("editor", roles.EDITORS)):
        user = User.objects.create_user(f"hardening-{role}", f"{role}@example.org", PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group_name))
        users[role] = user
    users["superuser"] = User.objects.create_superuser("hardening-superuser", "root@example.org", PASSWORD)
    return users


def populate(user=None):
    """History rows for every ledger model and one row in each of django-axes' tables."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (Actor, Person, Source, Pledge, TradeFigure, Statement, Citation, Engagement):
        obj = model.objects.order_by("pk").first()
        obj._history_user = user
        obj._change_reason = "hardening test data"
        obj.save()
    common = dict(
        user_agent="test", ip_address="10.9.9.9", username="someone", http_accept="*/*", path_info="/admin/login/"
    )
    AccessAttempt.objects.create(failures_since_start=1, get_data="", post_data="", **common)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)
    from tests.test_intake_review import intake_rows

    intake_rows(user)

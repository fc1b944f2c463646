"""The permission matrix: every URL of the site, for anonymous visitors, analysts, editors and
superusers, read (GET) and written (POST).

What each role may do, in the product's words: anyone reads the public pages; staff open the
admin; analysts view the ledger there; editors also add and change ledger entries (and import);
only a superuser deletes, and only a superuser sees accounts, groups and login records."""

from django.test import Client, TestCase, tag

from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure
from tests.hardening_data import ROLES, populate, role_users
from tests.urlmap import UrlMap

OK, LOGIN, DENIED, REDIRECT, NOT_ALLOWED = "ok", "login page", "denied", "redirect", "method not allowed"
STAFF = ("analyst", "editor", "superuser")


def outcome(response):
    status = response.status_code
    if status == 200:
        return OK
    if status in (301, 302):
        location = response["Location"]
        return LOGIN if "/login/" in location else REDIRECT
    if status == 403:
        return DENIED
    if status == 405:
        return NOT_ALLOWED
    return f"HTTP {status}"


def admin_model_action(endpoint):
    """("ledger", "pledge", "change") for "admin:ledger_pledge_change", else None."""
    model_admin = endpoint.pattern.model_admin
    if model_admin is None:
        return None
    opts = model_admin.model._meta
    action = endpoint.name.removeprefix(f"admin:{opts.app_label}_{opts.model_name}_")
    return opts.app_label, opts.model_name, action


def expected_get(endpoint, role):
    name = endpoint.name
    if not endpoint.is_admin:
        if name == "logout":
            return NOT_ALLOWED  # logging out takes a POST
        return OK
    if name == "admin:logout":
        return REDIRECT if role == "anonymous" else NOT_ALLOWED
    if name == "admin:login":
        return OK if role == "anonymous" else REDIRECT  # already logged in: on to the admin
    if role == "anonymous":
        return LOGIN
    if name == "admin:autocomplete":
        return DENIED  # without the field it completes, nobody may use it
    if name == "admin:view_on_site":
        return REDIRECT
    model = admin_model_action(endpoint)
    if model is None:
        return OK  # index, app list, password change, jsi18n
    app, model_name, action = model
    if action == "process_import":
        return NOT_ALLOWED  # the second step of an import: a POST only (its permission is tested below)
    if app == "axes" and action == "add":
        return DENIED  # login records are written by django-axes, never by hand
    if role == "superuser":
        return OK
    if app != "ledger":
        return DENIED  # accounts, groups, login records: superusers only
    if action in ("changelist", "change", "history", "simple_history", "export"):
        return OK  # analysts view (the change page read-only), editors change
    if action in ("add", "import"):
        return OK if role == "editor" else DENIED
    if action == "delete":
        return DENIED
    return f"no rule for {action}"


@tag("slow")  # every URL for every role: several seconds
class PermissionMatrixTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.users = role_users()
        populate(cls.users["superuser"])
        cls.urls = UrlMap()

    def client_for(self, role):
        client = Client()
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    def test_every_url_for_every_role(self):
        self.assertEqual(self.urls.unresolved, [])
        mismatches = []
        for role in ROLES:
            client = self.client_for(role)
            for endpoint in self.urls.endpoints:
                got, wanted = outcome(client.get(endpoint.url)), expected_get(endpoint, role)
                if got != wanted:
                    mismatches.append(f"{role:9} GET {endpoint.url}: {got}, expected {wanted}")
        self.assertEqual(mismatches, [], "\n" + "\n".join(mismatches))

    def test_the_matrix_reaches_the_list_add_change_delete_and_history_pages(self):
        actions = {admin_model_action(e)[2] for e in self.urls.admin() if admin_model_action(e)}
        for action in ("changelist", "add", "change", "delete", "history", "simple_history"):
            self.assertIn(action, actions)

    def test_only_editors_and_superusers_write_and_only_superusers_delete(self):
        """A POST to every ledger add, change and delete page: refused before any form is read
        for a role without the permission, and nothing changes."""
        counts = {m: m.objects.count() for m in (Actor, Citation, Person, Pledge, Source, Statement, TradeFigure)}
        descriptions = list(Pledge.objects.order_by("pk").values_list("description", flat=True))
        for role in ("anonymous", "analyst", "editor"):
            client = self.client_for(role)
            for endpoint in self.urls.admin():
                model = admin_model_action(endpoint)
                if (
                    model is None
                    or model[0] != "ledger"
                    or model[2]
                    not in (
                        "add",
                        "change",
                        "delete",
                        "simple_history",
                        "import",
                        "process_import",
                    )
                ):
                    continue
                action = model[2]
                allowed = role == "editor" and action != "delete"
                if allowed:
                    continue
                with self.subTest(role=role, url=endpoint.url):
                    response = client.post(
                        endpoint.url, {"post": "yes", "description": "written", "change_reason": "x"}
                    )
                    self.assertEqual(outcome(response), LOGIN if role == "anonymous" else DENIED)
        self.assertEqual({m: m.objects.count() for m in counts}, counts)
        self.assertEqual(list(Pledge.objects.order_by("pk").values_list("description", flat=True)), descriptions)

    def test_analysts_see_the_change_page_read_only(self):
        pledge = Pledge.objects.order_by("pk").first()
        response = self.client_for("analyst").get(f"/admin/ledger/pledge/{pledge.pk}/change/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, 'name="description"')

"""Who may do what in the admin: anonymous, analyst, editor and superuser against list, view, add,
change, delete, import and export (and the history screen). Groups come from the roles migration."""

import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings, tag

from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure
from ledger.roles import ANALYSTS, EDITORS
from tests import factories
from tests.admin_helpers import form_data

LEDGER_MODELS = [Actor, Citation, Person, Pledge, Source, Statement, TradeFigure]
ALLOWED, FORBIDDEN, LOGIN = "allowed", "forbidden", "login"

# role -> action -> outcome. Deleting is for superusers only; analysts only read.
MATRIX = {
    "anonymous": {
        "list": LOGIN,
        "view": LOGIN,
        "add": LOGIN,
        "change": LOGIN,
        "delete": LOGIN,
        "history": LOGIN,
        "import": LOGIN,
        "export": LOGIN,
    },
    "analyst": {
        "list": ALLOWED,
        "view": ALLOWED,
        "add": FORBIDDEN,
        "change": FORBIDDEN,
        "delete": FORBIDDEN,
        "history": ALLOWED,
        "import": FORBIDDEN,
        "export": ALLOWED,
    },
    "editor": {
        "list": ALLOWED,
        "view": ALLOWED,
        "add": ALLOWED,
        "change": ALLOWED,
        "delete": FORBIDDEN,
        "history": ALLOWED,
        "import": ALLOWED,
        "export": ALLOWED,
    },
    "superuser": {
        "list": ALLOWED,
        "view": ALLOWED,
        "add": ALLOWED,
        "change": ALLOWED,
        "delete": ALLOWED,
        "history": ALLOWED,
        "import": ALLOWED,
        "export": ALLOWED,
    },
}
IMPORT_HEADER = "donor_code,recipient_code,kind,status,amount,currency,date,date_precision,sources,excerpts\n"
IMPORT_ROW = "CHN,CUB,grant,pledged,7000000,USD,2026-02-01,month,1,the words\n"


class RoleGroupTests(TestCase):
    def permissions(self, group_name):
        return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))

    def test_editors_add_change_and_view_every_ledger_model_but_never_delete(self):
        permissions = self.permissions(EDITORS)
        for model in LEDGER_MODELS:
            name = model._meta.model_name
            self.assertLessEqual({f"add_{name}", f"change_{name}", f"view_{name}"}, permissions)
        self.assertFalse([p for p in permissions if p.startswith("delete_")])

    def test_analysts_may_view_but_not_add_change_or_delete(self):
        permissions = self.permissions(ANALYSTS)
        self.assertEqual({p.split("_", 1)[0] for p in permissions}, {"view"})
        for model in LEDGER_MODELS:
            self.assertIn(f"view_{model._meta.model_name}", permissions)

    def test_the_groups_are_restored_to_their_permissions_after_a_migrate(self):
        Group.objects.get(name=ANALYSTS).permissions.add(Permission.objects.get(codename="change_pledge"))
        Group.objects.filter(name=EDITORS).delete()
        call_command("migrate", verbosity=0)
        self.assertNotIn("change_pledge", self.permissions(ANALYSTS))
        self.assertIn("change_pledge", self.permissions(EDITORS))

    @override_settings(DEBUG=True)
    def test_demo_users_command_creates_an_editor_and_an_analyst(self):
        call_command("create_demo_users", stdout=io.StringIO())
        editor = get_user_model().objects.get(username="editor")
        self.assertTrue(editor.check_password("aid-ledger-demo"))
        self.assertTrue(editor.is_staff)
        self.assertTrue(editor.has_perm("ledger.change_pledge"))
        self.assertFalse(editor.has_perm("ledger.delete_pledge"))
        analyst = get_user_model().objects.get(username="analyst")
        self.assertEqual((analyst.has_perm("ledger.view_pledge"), analyst.has_perm("ledger.add_pledge")), (True, False))

    def test_demo_users_command_refuses_without_debug(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "DEBUG=1"):
            call_command("create_demo_users")


@tag("slow")
class PermissionMatrixTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        User = get_user_model()
        cls.users = {"anonymous": None, "superuser": User.objects.create_superuser("root", password="pw")}
        for role, group in (("analyst", ANALYSTS), ("editor", EDITORS)):
            user = User.objects.create_user(role, password="pw", is_staff=True)
            user.groups.add(Group.objects.get(name=group))
            cls.users[role] = user

    def login(self, role):
        self.client.logout()
        if self.users[role] is not None:
            self.client.force_login(self.users[role])

    def outcome(self, response, allowed_status=(200, 302)):
        if response.status_code == 302 and "/admin/login/" in response["Location"]:
            return LOGIN
        if response.status_code == 403:
            return FORBIDDEN
        self.assertIn(response.status_code, allowed_status)
        return ALLOWED

    def attempt(self, action, role):
        """Try `action` on pledges as `role`; returns the outcome and whether the ledger changed."""
        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        victim = factories.pledge(china, cuba, src=Source.objects.get(), excerpt="to be deleted")
        base = "/admin/ledger/pledge/"
        if action == "list":
            response = self.client.get(base)
            if response.status_code == 200:
                self.assertContains(response, "China → Cuba")
            return self.outcome(response)
        if action == "view":
            response = self.client.get(f"{base}{victim.pk}/change/")
            if response.status_code == 200:
                self.assertContains(response, "USD")
            return self.outcome(response)
        if action == "history":
            return self.outcome(self.client.get(f"{base}{victim.pk}/history/"))
        if action == "add":
            before = Pledge.objects.count()
            data = {
                "donor": china.pk,
                "recipient": cuba.pk,
                "kind": "grant",
                "status": "announced",
                "amount": "7",
                "currency": "USD",
                "change_reason": "new",
                "citations-TOTAL_FORMS": "1",
                "citations-INITIAL_FORMS": "0",
                "citations-0-source": Source.objects.get().pk,
                "citations-0-excerpt": "seven",
            }
            result = self.outcome(self.client.post(f"{base}add/", data))
            self.assertEqual(Pledge.objects.count() - before, 1 if result == ALLOWED else 0)
            return result
        if action == "change":
            self.client.force_login(self.users["superuser"])
            data = form_data(self.client.get(f"{base}{victim.pk}/change/"), "pledge_form")
            self.login(role)
            data.update({"status": "disbursed", "change_reason": "delivered"})
            result = self.outcome(self.client.post(f"{base}{victim.pk}/change/", data))
            victim.refresh_from_db()
            self.assertEqual(victim.status, "disbursed" if result == ALLOWED else "committed")
            return result
        if action == "delete":
            get_outcome = self.outcome(self.client.get(f"{base}{victim.pk}/delete/"))
            result = self.outcome(self.client.post(f"{base}{victim.pk}/delete/", {"post": "yes"}))
            self.assertEqual(get_outcome, result)
            self.assertEqual(Pledge.objects.filter(pk=victim.pk).exists(), result != ALLOWED)
            return result
        if action == "import":
            # Uploading previews without writing; confirming writes. Both need the import permission.
            upload = SimpleUploadedFile("batch.csv", (IMPORT_HEADER + IMPORT_ROW).encode(), content_type="text/csv")
            preview = self.client.post(
                f"{base}import/",
                {
                    "import_file": upload,
                    "format": "0",
                    "change_reason": "batch",
                    "resource": "",
                },
            )
            result = self.outcome(preview)
            if result == ALLOWED:
                self.assertEqual(preview.status_code, 200)
                form = preview.context["confirm_form"]
                confirmed = self.client.post(
                    f"{base}process_import/", {name: form.initial.get(name, "") for name in form.fields}
                )
                self.assertEqual(confirmed.status_code, 302)
            self.assertEqual(Pledge.objects.filter(amount=Decimal("7000000")).exists(), result == ALLOWED)
            return result
        if action == "export":
            response = self.client.post(f"{base}export/", {"format": "0", "resource": ""})
            result = self.outcome(response)
            if result == ALLOWED:
                self.assertEqual(response.status_code, 200)
                self.assertIn("China", b"".join(getattr(response, "streaming_content", [response.content])).decode())
            return result
        raise AssertionError(action)

    def test_each_role_may_do_exactly_what_the_matrix_allows_on_pledges(self):
        for role, expected in MATRIX.items():
            for action, outcome in expected.items():
                with self.subTest(role=role, action=action):
                    self.login(role)
                    self.assertEqual(self.attempt(action, role), outcome)

    def test_every_ledger_model_lists_and_views_for_analysts_but_only_editors_may_add(self):
        for model in LEDGER_MODELS:
            base = f"/admin/ledger/{model._meta.model_name}/"
            obj = model.objects.first()
            for role in ("analyst", "editor", "superuser"):
                with self.subTest(model=model.__name__, role=role):
                    self.login(role)
                    self.assertEqual(self.client.get(base).status_code, 200)
                    self.assertEqual(self.client.get(f"{base}{obj.pk}/change/").status_code, 200)
                    self.assertEqual(self.client.get(f"{base}add/").status_code, 403 if role == "analyst" else 200)
                    self.assertEqual(
                        self.client.get(f"{base}{obj.pk}/delete/").status_code, 200 if role == "superuser" else 403
                    )

    def test_an_analyst_sees_the_entry_without_a_save_button(self):
        self.login("analyst")
        response = self.client.get("/admin/ledger/tradefigure/1/change/")
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, 'name="change_reason"')

    def test_editors_cannot_delete_a_citation_inline(self):
        self.login("editor")
        response = self.client.get("/admin/ledger/tradefigure/1/change/")
        self.assertNotContains(response, "citations-0-DELETE")
        self.login("superuser")
        self.assertContains(self.client.get("/admin/ledger/tradefigure/1/change/"), "citations-0-DELETE")

    def test_a_superuser_cannot_remove_the_last_citation_of_an_entry(self):
        self.login("superuser")
        data = form_data(self.client.get("/admin/ledger/tradefigure/1/change/"), "tradefigure_form")
        data.update({"citations-0-DELETE": "on", "change_reason": "no source"})
        response = self.client.post("/admin/ledger/tradefigure/1/change/", data)
        self.assertContains(response, "Every figure needs a source")
        self.assertEqual(Citation.objects.filter(trade_figure=1).count(), 1)

    def test_deleting_the_last_citation_of_an_entry_is_refused_with_the_rule(self):
        self.login("superuser")
        citation = Citation.objects.get(trade_figure=1)
        response = self.client.post(f"/admin/ledger/citation/{citation.pk}/delete/", {"post": "yes"}, follow=True)
        self.assertContains(response, "Every figure needs a source")
        self.assertTrue(Citation.objects.filter(pk=citation.pk).exists())

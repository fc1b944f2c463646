from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", apps=None, **kwargs):
    from ledger.roles import sync_role_permissions

    if apps is None:  # flush (the test runner's) sends post_migrate without the registry
        from django.apps import apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # auth not installed
        return
    sync_role_permissions(apps, using=using)


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"
    verbose_name = "Aid ledger"

    def ready(self):
        # Keeps the Editors and Analysts groups complete after every migrate (and after the test
        # runner's flush), including for models added after the migration that created them.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="ledger.sync_roles")
        from ledger import search  # the full-text index's SQLite triggers, kept through every migrate

        search.connect(self)

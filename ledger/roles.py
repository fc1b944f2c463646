"""The editors' roles. Editors add, change and view every ledger model; analysts only view;
nobody but a superuser deletes. Used by the migration that creates the groups, and after every
migrate (so a model added later gets its permissions in the groups too)."""

EDITORS = "Editors"
ANALYSTS = "Analysts"
ROLE_ACTIONS = {EDITORS: ("add", "change", "view"), ANALYSTS: ("view",)}


def sync_role_permissions(apps, using="default"):
    """Create both groups if missing and give them exactly their actions on the ledger's models
    (historical models: view only; their rows are written by the history, never by hand)."""
    from django.contrib.auth.management import create_permissions

    ledger = apps.get_app_config("ledger")
    for app_config in (apps.get_app_config("auth"), apps.get_app_config("contenttypes"), ledger):
        # Permissions are normally created after migrate; the groups need them now.
        app_config.models_module = getattr(app_config, "models_module", None) or True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for group_name, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        wanted = []
        for model in ledger.get_models():
            content_type = ContentType.objects.db_manager(using).get_for_model(model, for_concrete_model=False)
            model_actions = ("view",) if model._meta.model_name.startswith("historical") else actions
            codenames = [f"{action}_{model._meta.model_name}" for action in model_actions]
            wanted += Permission.objects.using(using).filter(content_type=content_type, codename__in=codenames)
        others = list(group.permissions.exclude(content_type__app_label="ledger"))
        group.permissions.set(others + wanted)

"""Creates the "Editors" group (add, change and view every ledger model) and the "Analysts" group
(view only). Nobody but a superuser deletes."""

from django.db import migrations

from ledger.roles import ROLE_ACTIONS, sync_role_permissions


def create_groups(apps, schema_editor):
    sync_role_permissions(apps, using=schema_editor.connection.alias)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=list(ROLE_ACTIONS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

"""Deleting so that nothing is lost: every row a delete takes with it is recorded, and every link it
empties is a new version. Called by `delete_entry` (services/_shared.py), which every `*_delete`
service calls: the admin's single and bulk deletes, the importer and intake all pass here.

- Rows the database would delete with the entry (on_delete=CASCADE: a pledge's, trade figure's,
  statement's or engagement's citations, an engagement's participants) are deleted here first, one by
  one, each with the entry's user, reason and time in its history "-" record (left to the database,
  simple_history would record them without a reason). Rows of models the history does not track are
  left to the database.
- Links the database would empty (on_delete=SET_NULL: a pledge's official or a statement's person
  when the person is deleted, a statement's engagement when the engagement is deleted) are emptied
  first through the dependent's own update service: a new version with a history record that says
  which row was deleted and why. A tracked model without services (a delivery's citation) is saved
  with its history record the same way; untracked rows (intake's proposals) are left to the database.

A revert of the entry to a version before its deletion (after it was restored with its id) brings
its citations back: their deletion is recorded at the entry's deletion time, which is after every
version of the entry the revert can go back to (history.citations_at)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from ledger import services
from ledger.services._shared import record_baseline

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import Model

DETACHED_REASON = "Its {field} (#{pk}) was deleted: {reason}"


def _tracked(model: type[Model]) -> bool:
    """True when django-simple-history records the model's changes."""
    return getattr(model._meta, "simple_history_manager_attribute", None) is not None


def _relations_to(model: type[Model], on_delete) -> Iterator[models.ForeignObjectRel]:
    """The relations of tracked models that point at `model` with `on_delete`, as Django's delete
    Collector finds them (hidden ones too; the history tables' own links are DO_NOTHING)."""
    for relation in model._meta.get_fields(include_hidden=True):
        if (
            relation.auto_created
            and not relation.concrete
            and (relation.one_to_one or relation.one_to_many)
            and relation.on_delete is on_delete
            and _tracked(relation.related_model)
        ):
            yield relation


def _dependents(instance: Model, relation: models.ForeignObjectRel) -> list[Model]:
    return list(relation.related_model._base_manager.filter(**{relation.field.name: instance}).order_by("pk"))


def _empty_link(dependent: Model, field: models.Field, *, user: AbstractBaseUser | None, reason: str) -> None:
    """Empty `dependent`'s link through its update service (a new version, recorded with the reason)."""
    model_services = services.SERVICES.get(type(dependent))
    if model_services is not None:
        model_services.update(
            **{model_services.keyword: dependent}, data={field.attname: None}, user=user, reason=reason
        )
        return
    # Tracked, without services of its own (a delivery's citation): saved as the database would
    # leave it, with who and why.
    record_baseline(dependent)
    setattr(dependent, field.attname, None)
    dependent._history_user, dependent._change_reason = user, reason
    dependent.save()


def detach_dependents(instance: Model, *, user: AbstractBaseUser | None, reason: str) -> None:
    """Empty, through the services, every link the database would set to NULL when `instance` goes."""
    for relation in _relations_to(type(instance), models.SET_NULL):
        field = relation.field
        why = DETACHED_REASON.format(field=field.verbose_name, pk=instance.pk, reason=reason)
        for dependent in _dependents(instance, relation):
            _empty_link(dependent, field, user=user, reason=why)


def delete_recorded(
    instance: Model, *, user: AbstractBaseUser | None, reason: str, when: datetime | None = None
) -> None:
    """Delete `instance` and what it takes with it, every row recorded with `user`, `reason` and the
    same time `when` (now by default); links to them are emptied through the services first. The
    caller checks the reason and holds the transaction (delete_entry)."""
    detach_dependents(instance, user=user, reason=reason)
    when = when or timezone.now()  # after the links' versions: the history reads in the order of events
    for relation in _relations_to(type(instance), models.CASCADE):
        for dependent in _dependents(instance, relation):
            delete_recorded(dependent, user=user, reason=reason, when=when)
    record_baseline(instance)
    instance._history_user, instance._change_reason, instance._history_date = user, reason, when
    instance.delete()

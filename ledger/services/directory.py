"""Write services for the ledger's directory: actors, sources and people. These rows carry no version;
an edit is checked against the time the entry was last saved. Every change needs a reason."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ledger.models import Actor, Person, Source
from ledger.services._shared import delete_entry, revert_entry, save_entry, update_entry

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.base_user import AbstractBaseUser


@transaction.atomic
def actor_create(*, user: AbstractBaseUser | None = None, reason: str, **fields: Any) -> Actor:
    return save_entry(Actor(**fields), user=user, reason=reason)


def actor_update(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Actor:
    return update_entry(actor, data=data, user=user, reason=reason, expected_updated_at=expected_updated_at)


def actor_revert(
    *,
    actor: Actor,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Actor:
    return revert_entry(actor, history_id=history_id, user=user, reason=reason, expected_updated_at=expected_updated_at)


def actor_delete(*, actor: Actor, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(actor, user=user, reason=reason)


@transaction.atomic
def source_create(*, user: AbstractBaseUser | None = None, reason: str, **fields: Any) -> Source:
    return save_entry(Source(**fields), user=user, reason=reason)


def source_update(
    *,
    source: Source,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Source:
    return update_entry(source, data=data, user=user, reason=reason, expected_updated_at=expected_updated_at)


def source_revert(
    *,
    source: Source,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Source:
    return revert_entry(
        source, history_id=history_id, user=user, reason=reason, expected_updated_at=expected_updated_at
    )


def source_delete(*, source: Source, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(source, user=user, reason=reason)


@transaction.atomic
def person_create(*, user: AbstractBaseUser | None = None, reason: str, **fields: Any) -> Person:
    return save_entry(Person(**fields), user=user, reason=reason)


def person_update(
    *,
    person: Person,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Person:
    return update_entry(person, data=data, user=user, reason=reason, expected_updated_at=expected_updated_at)


def person_revert(
    *,
    person: Person,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Person:
    return revert_entry(
        person, history_id=history_id, user=user, reason=reason, expected_updated_at=expected_updated_at
    )


def person_delete(*, person: Person, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(person, user=user, reason=reason)

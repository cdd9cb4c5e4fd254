"""Writes about staff: ending sessions and deactivating users."""

from django.db import transaction

from audit.services import audit_record, diff
from branch_courier.accounts import user_cache
from branch_courier.accounts.models import User, UserSession
from branch_courier.accounts.session_store import SessionStore  # the SESSION_ENGINE


def user_sessions_end(*, user: User) -> int:
    """Delete every session the user holds (database and cache). Returns how many."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        SessionStore(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None = None) -> int:
    """Deactivate a user and end their sessions at once; returns how many sessions ended."""
    was_active = User.objects.select_for_update().values_list("is_active", flat=True).get(pk=user.pk)
    User.objects.filter(pk=user.pk).update(is_active=False)
    user_cache.forget([user.pk])  # an UPDATE sends no post_save
    user.is_active = False
    ended = user_sessions_end(user=user)
    audit_record(
        action="user.deactivate",
        actor=actor,
        obj=user,
        changes={**diff({"is_active": was_active}, {"is_active": False}), "sessions_ended": ended},
    )
    return ended

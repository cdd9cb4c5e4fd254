"""The login backend: Django's ModelBackend, loading the signed-in user with their branch."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from branch_courier.accounts import user_cache


class BranchUserBackend(ModelBackend):
    """Every page shows the user's branch (the top bar) and scopes by it: one query, not two."""

    def get_user(self, user_id):
        user = user_cache.get(user_id, lambda: self._load(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _load(user_id):
        model = get_user_model()
        return model._default_manager.select_related("branch").filter(pk=user_id).first()

"""The login backend: Django's ModelBackend, loading the signed-in user with their branch."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class BranchUserBackend(ModelBackend):
    """Every page shows the user's branch (the top bar) and scopes by it: one query, not two."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("branch").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "branch_courier.accounts"
    label = "accounts"
    verbose_name = "Branches and staff"

    def ready(self):
        # Connected for their signal receivers: login bookkeeping, and dropping cached users.
        from branch_courier.accounts import receivers, user_cache  # noqa: F401

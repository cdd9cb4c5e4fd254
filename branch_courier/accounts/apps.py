from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "branch_courier.accounts"
    label = "accounts"
    verbose_name = "Branches and staff"

    def ready(self):
        from branch_courier.accounts import receivers  # noqa: F401 (connects login signals)

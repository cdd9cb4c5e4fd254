from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "branch_courier.core"
    label = "core"
    verbose_name = "Core"

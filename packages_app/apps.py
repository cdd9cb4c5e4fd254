from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages_app"
    label = "packages_app"
    verbose_name = "Packages"

    def ready(self):
        from packages_app import checks  # noqa: F401  (registers the system checks)

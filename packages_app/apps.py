from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages_app"
    label = "packages_app"
    verbose_name = "Packages"

    def ready(self):
        # Registers the system checks; connects the open branches' cache receivers.
        from packages_app import checks, open_branches  # noqa: F401

from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages_app"
    label = "packages_app"
    verbose_name = "Packages"

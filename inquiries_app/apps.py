from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "inquiries_app"
    label = "inquiries_app"
    verbose_name = "Customer inquiries"

    def ready(self):
        # packages_app's dashboard and package page show our panels without importing this app.
        from inquiries_app.panels import register

        register()

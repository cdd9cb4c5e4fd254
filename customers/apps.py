from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers: public tracking and notifications"

    def ready(self):
        from customers import handlers  # noqa: F401 (registers the outbox handlers)

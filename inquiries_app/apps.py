from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "inquiries_app"
    label = "inquiries_app"
    verbose_name = "Customer inquiries"

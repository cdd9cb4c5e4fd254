from django.urls import path

from packages_app import counter_views, views

app_name = "packages"

urlpatterns = [
    path("", views.package_list, name="list"),
    path("export.csv", views.package_export, name="export"),
    path("new/", views.intake, name="intake"),
    path("scan/", views.scan, name="scan"),
    path("scan/clear/", views.scan_clear, name="scan_clear"),
    path("handover/", counter_views.handover_search, name="handover_search"),
    path("<str:tracking>/", views.detail, name="detail"),
    path("<str:tracking>/transition/", views.transition, name="transition"),
    path("<str:tracking>/label.pdf", views.label_pdf, name="label_pdf"),
    path("<str:tracking>/label.zpl", views.label_zpl, name="label_zpl"),
    path("<str:tracking>/handover/", counter_views.handover_view, name="handover"),
    path("<str:tracking>/proof-of-delivery.pdf", counter_views.proof_of_delivery, name="pod"),
]

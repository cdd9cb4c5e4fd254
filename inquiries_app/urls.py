from django.urls import path

from inquiries_app import views

app_name = "inquiries"

urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("export.csv", views.inquiry_export, name="export"),
    path("new/", views.inquiry_create, name="create"),
    path("<str:reference>/", views.inquiry_detail, name="detail"),
    path("<str:reference>/assign/", views.inquiry_assign, name="assign"),
    path("<str:reference>/status/", views.inquiry_status, name="status"),
    path("<str:reference>/resolve/", views.inquiry_resolve, name="resolve"),
    path("<str:reference>/reopen/", views.inquiry_reopen, name="reopen"),
    path("<str:reference>/notes/", views.inquiry_note, name="note"),
    path("<str:reference>/claim/", views.inquiry_claim, name="claim"),
    path("<str:reference>/claim/decision/", views.inquiry_claim_decision, name="claim_decision"),
]

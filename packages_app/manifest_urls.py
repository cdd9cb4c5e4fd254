from django.urls import path

from packages_app import manifest_views as views

app_name = "manifests"

urlpatterns = [
    path("", views.manifest_list, name="list"),
    path("new/", views.manifest_new, name="new"),
    path("receive/", views.manifest_receive_lookup, name="receive_lookup"),
    path("<int:pk>/", views.manifest_detail, name="detail"),
    path("<int:pk>/add/", views.manifest_add, name="add"),
    path("<int:pk>/items/<int:item_id>/remove/", views.manifest_remove, name="remove"),
    path("<int:pk>/seal/", views.manifest_seal, name="seal"),
    path("<int:pk>/dispatch/", views.manifest_dispatch, name="dispatch"),
    path("<int:pk>/manifest.pdf", views.manifest_pdf, name="pdf"),
    path("<int:pk>/receive/", views.manifest_receive, name="receive"),
    path("<int:pk>/receive/finish/", views.manifest_receive_finish, name="receive_finish"),
    path("<int:pk>/items/<int:item_id>/found/", views.manifest_item_found, name="found"),
    path("<int:pk>/items/<int:item_id>/lost/", views.manifest_item_lost, name="lost"),
]

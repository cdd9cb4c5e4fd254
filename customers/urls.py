from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("track/", views.track_form, name="track_form"),
    path("track/<str:tracking>", views.track, name="track"),
    path("api/v1/track/<str:tracking>", views.track_api, name="track_api"),
]

from django.urls import path

from packages_app import counter_views as views

app_name = "drawer"

urlpatterns = [
    path("", views.drawer_home, name="home"),
    path("open/", views.drawer_open_view, name="open"),
    path("report/", views.drawer_report, name="report"),
    path("<int:pk>/", views.drawer_session, name="session"),
    path("<int:pk>/close/", views.drawer_close_view, name="close"),
]

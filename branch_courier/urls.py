"""URL map. /live, /ready, /health and /metrics are answered by core.middleware.ProbeMiddleware."""

from django.contrib import admin
from django.urls import include, path

from branch_courier.core import views as core_views
from packages_app import views as package_views

admin.site.site_header = "Branch Courier administration"
admin.site.site_title = "Branch Courier admin"

urlpatterns = [
    # Clerks and supervisors land on their branch dashboard (packages_app); others on accounts' home.
    path("", package_views.home, name="home"),
    path("packages/", include("packages_app.urls")),
    path("manifests/", include("packages_app.manifest_urls")),
    path("drawer/", include("packages_app.drawer_urls")),
    path("inquiries/", include("inquiries_app.urls")),
    path("accounts/", include("branch_courier.accounts.urls")),
    path("audit/", include("audit.urls")),
    # Public, anonymous: /track/, /track/<number>, /api/v1/track/<number>.
    path("", include("customers.urls")),
    path("admin/", admin.site.urls),
]

handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

"""Template context shared by every page."""

from django.conf import settings


def app(request):
    return {"app_version": settings.APP_VERSION, "environment": settings.ENVIRONMENT}

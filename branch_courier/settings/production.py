"""Production settings: refuse to start without secrets, hosts and PostgreSQL; HTTPS everywhere."""

import os

from django.core.exceptions import ImproperlyConfigured

from branch_courier.settings.base import *  # noqa: F403
from branch_courier.settings.base import DATABASES, ENVIRONMENT
from branch_courier.settings.env import secret

DEBUG = False
ENVIRONMENT = ENVIRONMENT if ENVIRONMENT != "development" else "production"

SECRET_KEY = secret("SECRET_KEY") or secret("SESSION_SECRET")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY (or SESSION_SECRET) must be set in production")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
if "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise ImproperlyConfigured("production needs PostgreSQL: set DB_HOST (and DB_*) or DATABASE_URL")

# TLS ends at nginx / the ingress, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# Kubernetes probes and Prometheus talk plain HTTP to the pod.
SECURE_REDIRECT_EXEMPT = [r"^live$", r"^ready$", r"^health$", r"^metrics$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# __Host- cookies are only accepted over HTTPS, for this host, on path /.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_NAME = "__Secure-language"
LANGUAGE_COOKIE_SECURE = True

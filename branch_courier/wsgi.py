"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branch_courier.settings.production")

application = get_wsgi_application()

# Load the URL map, the views and the templates now rather than on a worker's first requests: with
# preload_app this runs once in gunicorn's master and every (recycled) worker starts warm.
from branch_courier.core.warmup import warm_up  # noqa: E402 (needs the app set up above)

warm_up()

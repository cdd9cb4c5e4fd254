"""What a worker would do on its first requests, done once where the app is loaded.

Django loads lazily: the URL map and every view module it imports (reportlab, for the labels and
manifests, among them) on the first request, each template engine and each template on its first
use. That was about 0.25 s of CPU on a new worker's first page (the sign-in page: 240 ms, measured
in-process), and with gunicorn's preload_app each worker recycled by max_requests starts again
from the master's state: under `make bench` the requests queued behind a recycled worker read
p99 up to 0.6 s on the sign-in page. branch_courier/wsgi.py calls warm_up() once the app is
loaded, so the master (or, without preload, each worker as it starts) does this once and every
fork shares it.

Nothing here opens a database or Redis connection (tests/ops/test_gunicorn_worker.py checks the
master holds none): it imports, compiles and reverses only.
"""

import logging
import sys
import time
from pathlib import Path

from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils.module_loading import import_string

from branch_courier.core.context_processors import nav_urls
from branch_courier.core.csp import static_headers

logger = logging.getLogger(__name__)


def warm_up() -> dict[str, int]:
    """Load the URL map and its views, and compile our templates; what was done, counted."""
    started = time.perf_counter()
    resolver = get_resolver()
    patterns = len(resolver.url_patterns)  # imports every URLconf and the views they name
    resolver.reverse_dict  # noqa: B018 (populates the reverse map, built on first use)
    nav_urls()
    # Not the layout's <head>: it reads the static files' manifest, which collectstatic writes at
    # deploy; without it only pages fail (as before), not the start and the probes.
    static_headers()
    templates = sum(_compile(engine) for engine in engines.all())
    widgets = _compile_widgets()
    for path in _named_in_settings():
        import_string(path)
    done = {"url_patterns": patterns, "templates": templates, "widget_templates": widgets}
    logger.info("warmed up", extra={**done, "duration_ms": round((time.perf_counter() - started) * 1000)})
    return done


def _ours(directory: Path) -> bool:
    """A directory of this repo's own (a virtualenv inside the checkout is not)."""
    path = Path(directory).resolve()
    return path.is_relative_to(Path(settings.BASE_DIR).resolve()) and not path.is_relative_to(
        Path(sys.prefix).resolve()
    )


def _compile(engine) -> int:
    """Every template of ours this engine finds, compiled into its cache. The admin's and other
    libraries' templates are left for their first use: the admin is rare and they are many."""
    if isinstance(engine, DjangoTemplates):
        engine.engine.template_context_processors  # noqa: B018 (imports them, on first use otherwise)
        directories = [*engine.engine.dirs, *get_app_template_dirs("templates")]
        names = [
            str(path.relative_to(directory))
            for directory in map(Path, directories)
            if _ours(directory)
            for path in sorted(directory.rglob("*.html"))
        ]
    else:  # Jinja2: its loader lists what it has (jinja_templates/ only)
        names = engine.env.list_templates(extensions=["html"])
    for name in names:
        engine.get_template(name)
    return len(names)


def _named_in_settings() -> list[str]:
    """Classes the settings name that Django imports on first use (each request's cache, session,
    messages and sign-in), not at start. Imported only: a cache or session is not opened."""
    return [
        *(cache["BACKEND"] for cache in settings.CACHES.values()),
        f"{settings.SESSION_ENGINE}.SessionStore",
        settings.SESSION_SERIALIZER,
        settings.MESSAGE_STORAGE,
        *settings.AUTHENTICATION_BACKENDS,
        *settings.PASSWORD_HASHERS,
    ]


def _compile_widgets() -> int:
    """The form widgets' templates (core/form_renderer.py: Django's own, drawn by Jinja2)."""
    renderer = get_default_renderer()
    environment = getattr(getattr(renderer, "engine", None), "env", None)
    if environment is None:  # another renderer: nothing to compile ahead
        return 0
    names = environment.list_templates(extensions=["html"])
    for name in names:
        renderer.get_template(name)
    return len(names)

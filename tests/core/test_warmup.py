"""warm_up(): the URL map, the views and our templates loaded where the app is loaded (wsgi.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this test process has long since imported and compiled everything.
PROBE = """
import json, os, sys
import django
django.setup()
from django.template import engines
lazy = ("packages_app.labels", "reportlab.platypus")
before = {name: name in sys.modules for name in lazy}
from branch_courier.core.warmup import warm_up
done = warm_up()
loader = engines["django"].engine.template_loaders[0]  # the cached loader
compiled = sorted({key.split("-")[0] for key in loader.get_template_cache})
jinja = engines["jinja2"].env.cache
print(json.dumps({
    "done": done,
    "before": before,
    "after": {name: name in sys.modules for name in lazy},
    "compiled": compiled,
    "jinja": sorted(name for (_, name) in jinja.keys()) if jinja is not None else [],
}))
"""


def _probe() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "branch_courier.settings.test"}
    command = [sys.executable, "-c", PROBE]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_warm_up_imports_the_views_and_compiles_our_templates_ahead_of_the_first_request():
    found = _probe()
    assert found["before"] == {"packages_app.labels": False, "reportlab.platypus": False}
    assert found["after"] == {"packages_app.labels": True, "reportlab.platypus": True}
    ours = {str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*.html")}
    assert found["done"]["templates"] >= len(ours)
    assert ours <= set(found["compiled"]), ours - set(found["compiled"])
    assert {"layout/topbar.html", "packages_app/package_rows.html"} <= set(found["jinja"])
    assert found["done"]["widget_templates"] > 0 and found["done"]["url_patterns"] > 0
    # Only ours: none of the admin's many templates is compiled ahead.
    assert not any(name.startswith("admin/") for name in found["compiled"])

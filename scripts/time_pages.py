"""Time the counter pages against a seeded database: python scripts/time_pages.py [repeats].

Signs in as clerk.nyc01 through Django's test client (no network, no server) and prints the
median, 90th percentile and worst wall time and the query count of the dashboard, list, search, package page
and CSV export's first bytes. Point it at a database seeded with `seed_demo --packages 100000`.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branch_courier.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from branch_courier.accounts.models import User  # noqa: E402
from packages_app.models import Package  # noqa: E402


def main(repeats: int) -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = True  # to count queries
    user = User.objects.get(username="clerk.nyc01")
    client = Client()
    client.force_login(user)
    mine = Package.objects.filter(branch=user.branch).order_by("-created_at")
    sample = mine[min(500, mine.count() - 1)]
    pages = {
        "dashboard": "/",
        "list": "/packages/",
        "list status=IN_TRANSIT": "/packages/?status=IN_TRANSIT",
        "list incoming": "/packages/?direction=incoming",
        "list page 200": "/packages/?page=200",
        "search tracking": f"/packages/?q={sample.tracking_number}",
        "search name": f"/packages/?q={sample.recipient_name.split()[1]}",
        "search phone": f"/packages/?q={sample.recipient_phone}",
        "package page": f"/packages/{sample.tracking_number}/",
    }
    print(f"{Package.objects.count():,} packages in {connection.settings_dict['NAME']}")
    for name, url in pages.items():
        client.get(url)  # warm up
        times, queries = [], 0
        for _ in range(repeats):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            queries = len(connection.queries)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        median, worst = statistics.median(times), max(times)
        p90 = statistics.quantiles(times, n=10)[-1] if len(times) >= 2 else worst
        print(f"{name:24} median {median:6.1f}  p90 {p90:6.1f}  max {worst:6.1f} ms  {queries} queries")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

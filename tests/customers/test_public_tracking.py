"""The public tracking page and API: no personal data, check digit first, cache, rate limit."""

import statistics
import time

import pytest
from django.core.cache import cache

from audit.models import AuditLog
from packages_app import s10
from packages_app.partner_events import track_cache_key
from packages_app.services import package_dispatch, package_receive
from tests.customers.conftest import PERSONAL

pytestmark = pytest.mark.django_db


def _wrong_check_digit(number: str) -> str:
    digit = (int(number[10]) + 1) % 10
    return number[:10] + str(digit) + number[11:]


def test_the_page_shows_status_and_cities_and_no_personal_data(client, parcel, alice):
    parcel = package_dispatch(package=parcel, actor=alice)
    response = client.get(f"/track/{parcel.tracking_number}")
    assert response.status_code == 200
    page = response.content.decode()
    assert parcel.tracking_number in page and "In transit" in page
    assert "Alphaville" in page and "On its way to Bravotown" in page
    for secret in [*PERSONAL, "alice", "Alpha Central"]:
        assert secret not in page, secret


def test_the_api_gives_the_same_as_json_and_no_personal_data(client, parcel, alice):
    parcel = package_dispatch(package=parcel, actor=alice)
    response = client.get(f"/api/v1/track/{parcel.tracking_number}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "IN_TRANSIT" and body["destination_city"] == "Bravotown"
    assert [e["status"] for e in body["events"]] == ["IN_TRANSIT", "RECEIVED"]
    assert set(body["events"][0]) == {"status", "status_label", "city", "at", "local_time"}
    for secret in [*PERSONAL, "alice"]:
        assert secret not in response.content.decode(), secret


def test_a_lower_case_number_with_spaces_is_found(client, parcel):
    typed = " ".join([parcel.tracking_number[:2].lower(), parcel.tracking_number[2:]])
    assert client.get(f"/api/v1/track/{typed}").status_code == 200


def test_a_mistyped_number_gets_a_helpful_400_before_any_query(client, parcel, django_assert_num_queries):
    wrong = _wrong_check_digit(parcel.tracking_number)
    with django_assert_num_queries(0):
        page = client.get(f"/track/{wrong}")
        api = client.get(f"/api/v1/track/{wrong}")
    assert page.status_code == 400 and "one character looks mistyped" in page.content.decode()
    assert api.status_code == 400 and api.json()["error"] == "invalid_tracking_number"
    assert "check digit" in api.json()["message"]
    assert client.get("/api/v1/track/hello").json()["message"].startswith("HELLO is not a tracking number")


def test_an_unknown_number_is_a_plain_404(client, db):
    unknown = s10.build(99_999_990)
    assert client.get(f"/track/{unknown}").status_code == 404
    response = client.get(f"/api/v1/track/{unknown}")
    assert response.status_code == 404 and response.json() == {
        "error": "not_found",
        "message": "No package with this number.",
    }


def test_the_form_sends_a_valid_number_to_its_page_and_explains_a_wrong_one(client, parcel):
    assert client.get("/track/").status_code == 200
    response = client.get("/track/", {"number": parcel.tracking_number.lower()})
    assert response.status_code == 302 and response["Location"] == f"/track/{parcel.tracking_number}"
    response = client.get("/track/", {"number": _wrong_check_digit(parcel.tracking_number)})
    assert response.status_code == 400 and "check digit does not match" in response.content.decode()


@pytest.mark.parametrize("url", ["/track/", "/track/{n}", "/api/v1/track/{n}"])
def test_only_get_is_allowed(client, parcel, url):
    assert client.post(url.format(n=parcel.tracking_number)).status_code == 405


def test_a_client_over_the_rate_limit_gets_429(client, parcel, settings):
    settings.TRACK_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.get(f"/api/v1/track/{parcel.tracking_number}").status_code == 200
    api = client.get(f"/api/v1/track/{parcel.tracking_number}")
    page = client.get(f"/track/{parcel.tracking_number}")
    assert api.status_code == 429 and api.json()["error"] == "rate_limited"
    assert page.status_code == 429 and "Too many requests" in page.content.decode()
    assert 0 < int(api["Retry-After"]) <= 60
    # Another client (another address) is not affected.
    assert client.get(f"/track/{parcel.tracking_number}", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_cached_hit_runs_no_query_and_a_miss_runs_two(
    client, parcel, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_num_queries(2):  # the package (+ destination), its timeline (+ branches)
        client.get(f"/track/{parcel.tracking_number}")
    with django_assert_num_queries(0):
        client.get(f"/track/{parcel.tracking_number}")
        client.get(f"/api/v1/track/{parcel.tracking_number}")


def test_a_miss_stays_at_two_queries_with_a_long_timeline(
    client, parcel, alice, charlie, django_assert_num_queries
):
    from packages_app.models import PackageEvent

    PackageEvent.objects.bulk_create(
        [PackageEvent(package=parcel, status="RECEIVED", branch=parcel.branch, at=parcel.created_at)] * 80
    )
    with django_assert_num_queries(2):
        body = client.get(f"/api/v1/track/{parcel.tracking_number}").json()
    assert len(body["events"]) == 50


def test_a_change_to_the_package_shows_at_once(
    client, parcel, alice, charlie, django_capture_on_commit_callbacks
):
    assert client.get(f"/api/v1/track/{parcel.tracking_number}").json()["status"] == "RECEIVED"
    assert cache.get(track_cache_key(parcel.tracking_number)) is not None
    with django_capture_on_commit_callbacks(execute=True):
        parcel = package_dispatch(package=parcel, actor=alice)
    assert client.get(f"/api/v1/track/{parcel.tracking_number}").json()["status"] == "IN_TRANSIT"
    with django_capture_on_commit_callbacks(execute=True):
        package_receive(package=parcel, actor=charlie)
    page = client.get(f"/track/{parcel.tracking_number}").content.decode()
    assert "Ready for pickup in Bravotown" in page


def test_cached_hits_answer_in_under_10_ms(client, parcel, settings):
    settings.TRACK_RATE_LIMIT = "1000/m"
    figures = {}
    for name, url in (
        ("page", f"/track/{parcel.tracking_number}"),
        ("api", f"/api/v1/track/{parcel.tracking_number}"),
    ):
        client.get(url)  # warm the cache
        times = []
        for _ in range(50):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        figures[name] = (statistics.median(times), max(times))
        misses = []
        for _ in range(20):
            cache.clear()
            started = time.perf_counter()
            client.get(url)
            misses.append((time.perf_counter() - started) * 1000)
        figures[f"{name} miss"] = (statistics.median(misses), max(misses))
    rounded = {k: (round(a, 2), round(b, 2)) for k, (a, b) in figures.items()}
    print("public tracking ms (median, max):", rounded)
    assert figures["page"][0] < 10 and figures["api"][0] < 10


def test_with_real_time_tracking_the_page_polls_a_fragment(client, parcel, settings):
    settings.ENABLE_REAL_TIME_TRACKING = True
    page = client.get(f"/track/{parcel.tracking_number}").content.decode()
    assert 'hx-trigger="every 30s"' in page and f'hx-get="/track/{parcel.tracking_number}"' in page
    fragment = client.get(f"/track/{parcel.tracking_number}", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="track-status"')
    assert "HX-Request" in fragment["Vary"]
    settings.ENABLE_REAL_TIME_TRACKING = False
    assert "hx-trigger" not in client.get(f"/track/{parcel.tracking_number}").content.decode()


def test_a_signed_in_clerk_is_not_audited_and_sees_the_anonymous_page(client, parcel, alice):
    client.force_login(alice)
    before = AuditLog.objects.count()
    response = client.get(f"/track/{parcel.tracking_number}")
    assert response.status_code == 200
    assert "Sign out" not in response.content.decode()
    assert AuditLog.objects.count() == before


def test_the_label_qr_code_lands_on_the_public_page(parcel):
    from django.urls import reverse

    assert reverse("customers:track", args=[parcel.tracking_number]) == f"/track/{parcel.tracking_number}"


def test_the_rate_limit_count_returns_the_cached_copy_it_read(rf, parcel):
    from customers import ratelimit

    key = track_cache_key(parcel.tracking_number)
    cache.set(key, {"status": "RECEIVED", "events": [1, 2]}, 60)
    request = rf.get("/api/v1/track/x", REMOTE_ADDR="192.0.2.9")
    allowed, _, cached = ratelimit.hit(request, scope="t", rate="5/m", and_get=key)
    assert allowed and cached == {"status": "RECEIVED", "events": [1, 2]}
    assert ratelimit.hit(request, scope="t", rate="5/m", and_get=track_cache_key("RB000000000US"))[2] is None


def test_the_limiter_sends_its_commands_as_redis_py_would_pack_them():
    from redis.connection import Connection

    from customers import ratelimit

    counter = "bc:1:rl:track:203.0.113.5:1700000040"
    commands = [("SET", counter, 0, "EX", 61, "NX"), ("INCR", counter), ("GET", "bc:1:track:é")]
    assert ratelimit._pack(commands) == [b"".join(Connection().pack_commands(commands))]


@pytest.mark.postgres  # the PostgreSQL run is the one with Redis as the cache
def test_a_cached_hit_is_one_round_trip_to_redis(client, parcel, monkeypatch):
    from redis.connection import AbstractConnection

    assert hasattr(cache, "client"), "the PostgreSQL run needs REDIS_URL"
    sent = []
    real_send = AbstractConnection.send_packed_command

    def counting_send(self, command, check_health=True):  # a spy: the real send still happens
        sent.append(command)
        return real_send(self, command, check_health)

    for url in (f"/track/{parcel.tracking_number}", f"/api/v1/track/{parcel.tracking_number}"):
        client.get(url)  # fills the cache
        monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
        sent.clear()
        assert client.get(url).status_code == 200
        monkeypatch.undo()
        assert len(sent) == 1, f"{url}: {len(sent)} round trips"


@pytest.mark.postgres  # the PostgreSQL run is the one with Redis as the cache
def test_a_reply_error_half_way_leaves_no_unread_reply_on_the_connection(rf, parcel):
    """INCR on a counter that is not a number fails between two good replies: the request is let
    through (the limit fails open) and the next command on the pool reads its own reply."""
    from django_redis import get_redis_connection

    from customers import ratelimit

    key = track_cache_key(parcel.tracking_number)
    cache.set(key, {"status": "RECEIVED"}, 60)
    request = rf.get("/api/v1/track/x", REMOTE_ADDR="192.0.2.11")
    redis = get_redis_connection("default")
    now = int(time.time())
    counter = cache.make_key(f"rl:broken:192.0.2.11:{now - now % 60}")
    redis.set(counter, "not-a-number", ex=60)
    for _ in range(3):
        assert ratelimit.hit(request, scope="broken", rate="5/m", and_get=key)[0] is True
        # Had the GET's reply been left on the socket, this would read it instead of its own.
        assert cache.get("some-other-key") is None
        assert cache.get(key) == {"status": "RECEIVED"}
    assert redis.get(counter) == b"not-a-number"  # the INCR did fail each time


@pytest.mark.postgres  # the PostgreSQL run is the one with Redis as the cache
def test_the_count_goes_on_when_redis_drops_the_limiters_connection(rf):
    """The limiter keeps one connection per thread. Redis closing it (a restart, its client
    timeout) costs no hit its count: the commands go once more on a new connection."""
    from django_redis import get_redis_connection

    from customers import ratelimit

    request = rf.get("/api/v1/track/x", REMOTE_ADDR="192.0.2.12")
    redis = get_redis_connection("default")
    now = int(time.time())
    counter = cache.make_key(f"rl:dropped:192.0.2.12:{now - now % 60}")
    redis.delete(counter)
    assert ratelimit.hit(request, scope="dropped", rate="5/m")[0] is True
    own = ratelimit._own.connection
    own.send_command("CLIENT", "ID")
    assert redis.client_kill_filter(_id=own.read_response()) == 1
    assert ratelimit.hit(request, scope="dropped", rate="5/m")[0] is True
    assert redis.get(counter) == b"2"
    assert ratelimit._own.connection is own and ratelimit._own.proven


@pytest.mark.postgres  # the PostgreSQL run is the one with Redis as the cache
def test_a_forked_worker_makes_its_own_limiter_connection(rf):
    """After a fork the child must not write on its parent's socket (nor shut it down)."""
    from customers import ratelimit

    request = rf.get("/api/v1/track/x", REMOTE_ADDR="192.0.2.13")
    assert ratelimit.hit(request, scope="forked", rate="5/m")[0] is True
    parents = ratelimit._own.connection
    ratelimit._own.pid = -1  # as a child sees it: the connection was made in another process
    assert ratelimit.hit(request, scope="forked", rate="5/m")[0] is True
    assert ratelimit._own.connection is not parents
    assert parents._sock is not None  # left open for the process that owns it
    parents.disconnect()

"""The transition table: every allowed edge works through the service, forbidden ones say why."""

import pytest

from packages_app import lifecycle
from packages_app.lifecycle import FINAL, HOLDABLE, TRANSITIONS, Status, TransitionError
from packages_app.models import PackageEvent
from packages_app.services import package_transition
from tests.factories import PackageFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = sorted(TRANSITIONS)


def _package_in(status, branch, other, *, before=Status.RECEIVED):
    fields = {"status": status, "origin_branch": branch, "destination_branch": other, "branch": branch}
    if status == Status.ON_HOLD:
        fields["status_before_hold"] = before
    return PackageFactory(**fields)


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
def test_every_allowed_transition_works_and_is_recorded(source, target, bob, branch_a, branch_b):
    before = target if source == Status.ON_HOLD and target != Status.LOST else Status.RECEIVED
    package = _package_in(source, branch_a, branch_b, before=before)
    edge = TRANSITIONS[(source, target)]
    result = package_transition(
        package=package,
        to_status=target,
        actor=bob,  # a supervisor: may take every edge
        reason_code="OTHER" if edge.needs_reason else "",
        to_branch=branch_b if target == Status.IN_TRANSIT else None,
    )
    assert result.status == target
    event = PackageEvent.objects.filter(package=package).order_by("-id").first()
    assert (event.from_status, event.status, event.actor) == (source, target, bob)


FORBIDDEN = [
    (Status.RECEIVED, Status.DELIVERED),
    (Status.RECEIVED, Status.READY_FOR_PICKUP),
    (Status.IN_TRANSIT, Status.CANCELLED),
    (Status.DELIVERED, Status.IN_TRANSIT),
    (Status.DELIVERED, Status.ON_HOLD),
    (Status.CANCELLED, Status.RECEIVED),
    (Status.LOST, Status.IN_TRANSIT),
    (Status.RETURNED, Status.READY_FOR_PICKUP),
    (Status.READY_FOR_PICKUP, Status.LOST),
    (Status.ON_HOLD, Status.ON_HOLD),
]


@pytest.mark.parametrize(("source", "target"), FORBIDDEN, ids=[f"{s}->{t}" for s, t in FORBIDDEN])
def test_forbidden_transitions_raise_a_clear_error_and_change_nothing(
    source, target, bob, branch_a, branch_b
):
    package = _package_in(source, branch_a, branch_b)
    with pytest.raises(TransitionError, match="cannot become"):
        package_transition(package=package, to_status=target, actor=bob, reason_code="OTHER")
    package.refresh_from_db()
    assert package.status == source
    assert package.events.count() == 1


def test_final_states_have_no_way_out():
    assert not [edge for (source, _), edge in TRANSITIONS.items() if source in FINAL]


def test_every_open_state_can_be_put_on_hold():
    assert {s for s, t in TRANSITIONS if t == Status.ON_HOLD} == set(HOLDABLE)


def test_only_supervisors_may_declare_a_package_lost(alice, branch_a, branch_b):
    package = _package_in(Status.IN_TRANSIT, branch_a, branch_b)
    with pytest.raises(TransitionError, match="Only supervisors"):
        package_transition(package=package, to_status=Status.LOST, actor=alice, reason_code="MISSING")
    supervisor = UserFactory(branch=branch_a, role="SUPERVISOR")
    assert (
        package_transition(
            package=package, to_status=Status.LOST, actor=supervisor, reason_code="MISSING"
        ).status
        == Status.LOST
    )


def test_release_returns_to_the_state_it_left_and_nowhere_else(alice, branch_a, branch_b):
    package = _package_in(Status.ON_HOLD, branch_a, branch_b, before=Status.ARRIVED)
    with pytest.raises(TransitionError, match="returns the package to Arrived"):
        package_transition(package=package, to_status=Status.RECEIVED, actor=alice)
    released = package_transition(package=package, to_status=Status.ARRIVED, actor=alice)
    assert (released.status, released.status_before_hold) == (Status.ARRIVED, "")


def test_allowed_targets_offer_the_clerk_only_what_a_clerk_may_do():
    clerk = {e.target for e in lifecycle.allowed_targets(source=Status.IN_TRANSIT, role="CLERK")}
    supervisor = {e.target for e in lifecycle.allowed_targets(source=Status.IN_TRANSIT, role="SUPERVISOR")}
    assert Status.LOST not in clerk
    assert supervisor - clerk == {Status.LOST}
    assert lifecycle.allowed_targets(source=Status.DELIVERED, role="SUPERVISOR") == []


def test_reason_is_required_where_the_table_says_so(alice, branch_a, branch_b):
    package = _package_in(Status.RECEIVED, branch_a, branch_b)
    with pytest.raises(TransitionError, match="Give a reason"):
        package_transition(package=package, to_status=Status.CANCELLED, actor=alice)

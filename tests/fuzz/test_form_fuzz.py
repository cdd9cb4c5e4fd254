"""Property-based fuzz of every POST endpoint: no input yields a 500 or a partial write.

The POST endpoints come from Django's real resolver (tests/sweep/urlmap.py): every URL whose owner
does not answer POST with 405 must have an entry in FORM_ENDPOINTS, or
test_every_post_endpoint_has_a_strategy fails and says what to add. Each endpoint is fuzzed with a
body built from its Django form's fields (tests/fuzz/strategies.py), POSTed with a valid CSRF token
by a user who may use it. Every example starts from the same rows: it runs in a savepoint that is
rolled back afterwards.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import example as explicit_example
from hypothesis import given

from audit.models import AuditLog
from inquiries_app import forms as inquiry_forms
from inquiries_app import services as inquiry_services
from inquiries_app.models import CustomerInquiry, InquiryNote, ResolutionCode
from outbox.models import OutboxMessage
from packages_app import forms as package_forms
from packages_app import transit_forms
from packages_app.models import Package, PackageEvent
from packages_app.transit_models import DrawerSession, Handover, Manifest, ManifestItem, Payment
from tests.factories import PASSWORD
from tests.fuzz.strategies import hostile_corpus, post_bodies
from tests.sweep.urlmap import all_routes

FUZZ_COUNTS: Counter = Counter()


@dataclass
class Target:
    kwargs: dict = field(default_factory=dict)
    obj: object = None


@dataclass
class FormEndpoint:
    """How to fuzz one POST URL: who posts, at what, which form's fields, a valid body."""

    form: Callable  # (world, target) -> an unbound form whose fields drive the strategy, or None
    valid: Callable  # (world, target) -> a body the view accepts
    target: Callable = lambda w: Target()  # noqa: E731  (world) -> the object the URL names
    user: str | None = "alice"  # a World attribute, or None for anonymous
    writes: bool = True  # its valid body changes domain rows (sign-in pages and scan_clear do not)


def _package(w):
    package = w.package()
    return Target({"tracking": package.tracking_number}, package)


def _inquiry(w, *, state="OPEN", claim=False, user=None):
    inquiry = w.claim() if claim else w.inquiry()
    if state in ("IN_PROGRESS", "RESOLVED"):
        inquiry = inquiry_services.inquiry_assign(inquiry=inquiry, assignee=w.alice, actor=w.alice)
    if state == "RESOLVED":
        inquiry = inquiry_services.inquiry_resolve(
            inquiry=inquiry, actor=w.alice, resolution_code=ResolutionCode.ANSWERED, summary="Told them."
        )
    return Target({"reference": inquiry.reference}, inquiry)


def _intake_valid(w, t):
    return {
        "sender_name": "Sam Sender",
        "sender_phone": "+1 617 555 0100",
        "sender_email": "sam@example.com",
        "sender_address": "1 Sender St",
        "recipient_name": "Rita Recipient",
        "recipient_phone": "+1 212 555 0199",
        "recipient_email": "",
        "recipient_address": "2 Recipient Rd",
        "destination_branch": str(w.branch_b.pk),
        "service": "STANDARD",
        "weight_grams": "1200",
        "declared_value": "10.00",
        "cod_amount": "",
        "length_cm": "",
        "width_cm": "",
        "height_cm": "",
        "payment_method": "CASH",
    }


def _manifest(w):
    manifest, item = w.manifest()
    return Target({"pk": manifest.pk}, manifest)


def _manifest_item(w):
    manifest, item = w.manifest()
    return Target({"pk": manifest.pk, "item_id": item.pk}, item)


def _sealed_manifest(w):
    from packages_app import manifest_services

    manifest, _item = w.manifest()
    manifest_services.manifest_seal(manifest=manifest, actor=w.alice)
    return Target({"pk": manifest.pk}, manifest)


def _incoming(w):
    manifest, item = w.incoming_manifest()
    return Target({"pk": manifest.pk}, item.package.tracking_number)


def _missing_item(w):
    """A bag from C that A received without scanning its one package: the item is missing."""
    from packages_app import manifest_services

    manifest, item = w.incoming_manifest()
    manifest_services.manifest_receive_finish(manifest=manifest, actor=w.alice)
    return Target({"pk": manifest.pk, "item_id": item.pk}, item)


def _ready_for_pickup(w):
    """A package from C that alice checked in at A: ready to hand over (no COD)."""
    from packages_app.services import package_receive

    package = _incoming_for_a(w)
    package = package_receive(package=package, actor=w.alice)
    return Target({"tracking": package.tracking_number}, package)


FORM_ENDPOINTS: dict[str, FormEndpoint] = {
    "packages:intake": FormEndpoint(
        form=lambda w, t: package_forms.IntakeForm(),
        valid=_intake_valid,
        target=lambda w: Target(obj=w.drawer()),  # the fee is paid into alice's open drawer
    ),
    "packages:scan": FormEndpoint(
        form=lambda w, t: package_forms.ScanForm(),
        valid=lambda w, t: {"action": "check_in", "reason_code": "", "code": t.obj},
        # An incoming package of B's for A, in transit: alice's check-in is a real write.
        target=lambda w: Target(obj=_incoming_for_a(w).tracking_number),
    ),
    "packages:scan_clear": FormEndpoint(form=lambda w, t: None, valid=lambda w, t: {}, writes=False),
    "packages:transition": FormEndpoint(
        form=lambda w, t: package_forms.TransitionForm(),
        valid=lambda w, t: {"to_status": "IN_TRANSIT", "to_branch": str(w.branch_c.pk), "note": "ok"},
        target=_package,
    ),
    "inquiries:create": FormEndpoint(
        form=lambda w, t: inquiry_forms.InquiryForm(),
        valid=lambda w, t: {
            "tracking_number": t.obj,
            "customer_name": "Casey Customer",
            "customer_phone": "+1 617 555 0111",
            "customer_email": "",
            "channel": "COUNTER",
            "category": "DAMAGE",
            "priority": "NORMAL",
            "description": "Box crushed.",
            "claim_amount": "20.00",
        },
        target=lambda w: Target(obj=w.package().tracking_number),
    ),
    "inquiries:assign": FormEndpoint(
        form=lambda w, t: inquiry_forms.AssignForm(branch_id=w.branch_a.pk),
        valid=lambda w, t: {"assignee": str(w.bob.pk)},
        target=_inquiry,
    ),
    "inquiries:status": FormEndpoint(
        form=lambda w, t: inquiry_forms.StatusForm(),
        valid=lambda w, t: {"to_status": "WAITING_ON_CUSTOMER"},
        target=lambda w: _inquiry(w, state="IN_PROGRESS"),
    ),
    "inquiries:resolve": FormEndpoint(
        form=lambda w, t: inquiry_forms.ResolveForm(),
        valid=lambda w, t: {"resolution_code": "ANSWERED", "summary": "Found it."},
        target=lambda w: _inquiry(w, state="IN_PROGRESS"),
    ),
    "inquiries:reopen": FormEndpoint(
        form=lambda w, t: inquiry_forms.ReopenForm(),
        valid=lambda w, t: {"reason": "Customer called back."},
        target=lambda w: _inquiry(w, state="RESOLVED"),
    ),
    "inquiries:note": FormEndpoint(
        form=lambda w, t: inquiry_forms.NoteForm(),
        valid=lambda w, t: {"body": "Called the customer.", "shared": "on"},
        target=_inquiry,
    ),
    "inquiries:claim": FormEndpoint(
        form=lambda w, t: inquiry_forms.ClaimForm(),
        valid=lambda w, t: {"claim_amount": "50.00"},
        target=lambda w: _inquiry(w, claim=True),
    ),
    "inquiries:claim_decision": FormEndpoint(
        form=lambda w, t: inquiry_forms.ClaimDecisionForm(),
        valid=lambda w, t: {"decision": "approve", "approved_amount": "", "reason": "Photos match."},
        target=lambda w: _inquiry(w, claim=True),
        user="bob",  # only supervisors decide claims
    ),
    # Issue 4: manifests and the cash drawer.
    "manifests:new": FormEndpoint(
        form=lambda w, t: transit_forms.ManifestOpenForm(user=w.alice),
        valid=lambda w, t: {"destination_branch": str(w.branch_c.pk)},
    ),
    "manifests:add": FormEndpoint(
        form=lambda w, t: transit_forms.CodeScanForm(),
        valid=lambda w, t: {"code": w.package().tracking_number},
        target=_manifest,
    ),
    "manifests:seal": FormEndpoint(form=lambda w, t: None, valid=lambda w, t: {}, target=_manifest),
    "manifests:receive_lookup": FormEndpoint(
        form=lambda w, t: transit_forms.CodeScanForm(),
        valid=lambda w, t: {"code": t.obj.number},
        target=lambda w: Target(obj=w.incoming_manifest()[0]),
        writes=False,  # it only opens the receiving screen
    ),
    "manifests:remove": FormEndpoint(form=lambda w, t: None, valid=lambda w, t: {}, target=_manifest_item),
    "manifests:dispatch": FormEndpoint(
        form=lambda w, t: None, valid=lambda w, t: {}, target=_sealed_manifest
    ),
    "manifests:receive": FormEndpoint(
        form=lambda w, t: transit_forms.CodeScanForm(),
        valid=lambda w, t: {"code": t.obj},
        target=_incoming,
    ),
    "manifests:receive_finish": FormEndpoint(form=lambda w, t: None, valid=lambda w, t: {}, target=_incoming),
    "manifests:found": FormEndpoint(
        form=lambda w, t: None, valid=lambda w, t: {}, target=_missing_item, user="bob"
    ),
    "manifests:lost": FormEndpoint(
        form=lambda w, t: transit_forms.LostForm(),
        valid=lambda w, t: {"note": "Not in the bag."},
        target=_missing_item,
        user="bob",  # only supervisors settle missing packages
    ),
    "packages:handover": FormEndpoint(
        form=lambda w, t: transit_forms.HandoverForm(cod=None),
        valid=lambda w, t: {"collector_name": "Al Recipient", "id_type": "PASSPORT", "id_last4": "7F3K"},
        target=_ready_for_pickup,
    ),
    "drawer:open": FormEndpoint(
        form=lambda w, t: transit_forms.DrawerOpenForm(), valid=lambda w, t: {"opening_float": "50.00"}
    ),
    "drawer:close": FormEndpoint(
        form=lambda w, t: transit_forms.DrawerCloseForm(),
        valid=lambda w, t: {"counted_cash": "100.00"},
        target=lambda w: (lambda d: Target({"pk": d.pk}, d))(w.drawer()),
    ),
    "accounts:login": FormEndpoint(
        form=lambda w, t: AuthenticationForm(),
        valid=lambda w, t: {"username": "alice", "password": PASSWORD},
        user=None,
        writes=False,
    ),
    "accounts:logout": FormEndpoint(form=lambda w, t: None, valid=lambda w, t: {}, writes=False),
    "accounts:password_change": FormEndpoint(
        form=lambda w, t: PasswordChangeForm(w.alice),
        valid=lambda w, t: {
            "old_password": PASSWORD,
            "new_password1": "a-fresh-Passphrase-42",
            "new_password2": "a-fresh-Passphrase-42",
        },
        writes=False,
    ),
}


def _incoming_for_a(w):
    from packages_app.services import Party, package_dispatch, package_intake

    package = package_intake(
        actor=w.charlie,
        sender=Party("Bea Sender", "+1 617 555 0100", "1 B St"),
        recipient=Party("Al Recipient", "+1 212 555 0199", "2 A Rd"),
        destination_branch=w.branch_a,
        service="STANDARD",
        weight_grams=900,
    )
    return package_dispatch(package=package, actor=w.charlie)


# --- what a write must look like ------------------------------------------------------------------

REQUEST_ROW = re.compile(r"^[A-Z]+ /")  # the audit middleware's "POST /path" row of every request


def _domain_audit():
    # The request's own row and the sign-in trail (auth.*) are written for every POST by design.
    return AuditLog.objects.exclude(action__startswith="auth.").exclude(action__regex=REQUEST_ROW.pattern)


def _state() -> dict:
    """Row counts of every domain table, and the full rows of the (few) packages and inquiries."""
    return {
        "counts": {
            "packages": Package.objects.count(),
            "package events": PackageEvent.objects.count(),
            "inquiries": CustomerInquiry.objects.count(),
            "inquiry notes": InquiryNote.objects.count(),
            "outbox": OutboxMessage.objects.count(),
            "manifests": Manifest.objects.count(),
            "manifest items": ManifestItem.objects.count(),
            "handovers": Handover.objects.count(),
            "drawer sessions": DrawerSession.objects.count(),
            "payments": Payment.objects.count(),
            "audit (domain)": _domain_audit().count(),
        },
        "packages": list(Package.objects.order_by("pk").values()),
        "inquiries": list(CustomerInquiry.objects.order_by("pk").values()),
        "manifests": list(Manifest.objects.order_by("pk").values()),
        "manifest items": list(ManifestItem.objects.order_by("pk").values()),
    }


def _rejected(response) -> bool:
    if response.status_code >= 400 or response.status_code == 200:  # a POST that re-renders its form
        return True
    return any(m.level >= message_levels.ERROR for m in get_messages(response.wsgi_request))


def _assert_complete(before: dict, after: dict, *, max_ids: dict) -> None:
    """An accepted POST wrote whole changes: each new row has its event and its audit record."""
    changed = [t for t, n in after["counts"].items() if t != "audit (domain)" and n != before["counts"][t]]
    changed += ["packages (updated)"] if after["packages"] != before["packages"] else []
    changed += ["inquiries (updated)"] if after["inquiries"] != before["inquiries"] else []
    changed += ["manifests (updated)"] if after["manifests"] != before["manifests"] else []
    if changed:
        assert after["counts"]["audit (domain)"] > before["counts"]["audit (domain)"], (
            f"{changed} changed without a domain audit record"
        )
    audited = set(_domain_audit().filter(id__gt=max_ids["audit"]).values_list("object_type", "object_id"))
    for package in Package.objects.filter(id__gt=max_ids["package"]):
        assert package.events.filter(status=package.status).exists(), f"{package} has no event"
        assert _audit_key(package) in audited, f"{package} has no audit record"
    # A bag's dispatch or receipt writes one audit record for the manifest (issue 6: "a manifest
    # dispatch ... leaves one clear record"), not one per package: its items' events count as audited.
    manifests = {int(oid) for otype, oid in audited if otype == "packages_app.manifest" and oid.isdigit()}
    bagged = set(ManifestItem.objects.filter(manifest_id__in=manifests).values_list("package_id", flat=True))
    for event in PackageEvent.objects.filter(id__gt=max_ids["event"]).select_related("package"):
        assert _audit_key(event.package) in audited or event.package_id in bagged, (
            f"event {event.pk} of {event.package} unaudited"
        )
    for inquiry in CustomerInquiry.objects.filter(id__gt=max_ids["inquiry"]):
        assert _audit_key(inquiry) in audited, f"{inquiry.reference} has no audit record"


def _audit_key(obj) -> tuple[str, str]:
    # How audit.services names an object (audit_id when the model has one, else the pk).
    return obj._meta.label_lower, str(getattr(obj, "audit_id", obj.pk))


def _max_ids() -> dict:
    def top(model):
        return model.objects.order_by("-id").values_list("id", flat=True).first() or 0

    return {
        "audit": top(AuditLog),
        "package": top(Package),
        "event": top(PackageEvent),
        "inquiry": top(CustomerInquiry),
    }


# --- the tests ------------------------------------------------------------------------------------


def _takes_post(client: Client, url: str) -> bool:
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    with transaction.atomic():
        response = client.post(url, {"csrfmiddlewaretoken": token})
        transaction.set_rollback(True)
    return response.status_code != 405


@pytest.mark.django_db
def test_every_post_endpoint_has_a_strategy(world):
    """Ask each URL (as its owner, with a real object) whether it takes POST; each that does needs a
    FORM_ENDPOINTS entry. Object URLs use the sweep's providers to get a real object."""
    from tests.sweep.test_url_sweep import OBJECT_PROVIDERS

    client = _client()
    posting = []
    for route in all_routes():
        if route.names_an_object and route.name not in OBJECT_PROVIDERS:
            continue  # the sweep's own completeness test names it
        kwargs = OBJECT_PROVIDERS[route.name](world) if route.names_an_object else {}
        # Signed in afresh for each URL: the logout probe must not turn the rest into anonymous
        # POSTs, which login_required would redirect instead of answering 405.
        client.force_login(world.alice)
        if _takes_post(client, reverse(route.name, kwargs=kwargs)):
            posting.append(route)
    missing = [r for r in posting if r.name not in FORM_ENDPOINTS]
    lines = "\n".join(
        f'    "{r.name}": FormEndpoint(form=lambda w, t: <Form>, valid=lambda w, t: {{...}}),  # {r.route}'
        for r in missing
    )
    assert not missing, (
        f"POST endpoints without a fuzz strategy; add to FORM_ENDPOINTS in {__file__}:\n{lines}"
    )
    stale = set(FORM_ENDPOINTS) - {r.name for r in posting}
    assert not stale, f"FORM_ENDPOINTS names URLs that do not take POST (any more): {sorted(stale)}"


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))  # sets the CSRF cookie (anonymous visitors get the form)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORM_ENDPOINTS))
def test_no_post_yields_a_500_or_a_partial_write(name, world):
    endpoint = FORM_ENDPOINTS[name]
    target = endpoint.target(world)
    url = reverse(name, kwargs=target.kwargs)
    user = getattr(world, endpoint.user) if endpoint.user else None
    client = _client()
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    valid = endpoint.valid(world, target)
    tracking = list(Package.objects.values_list("tracking_number", flat=True))
    form = endpoint.form(world, target)
    bodies = post_bodies(form, valid=valid, tracking=tracking)
    outcomes = Counter()

    @given(body=bodies)
    def example(body):
        savepoint = transaction.savepoint()
        try:
            # Fresh cookies each time: the last session's row went with the rolled-back savepoint,
            # and the last example's messages must not be read as this one's.
            client.cookies = SimpleCookie({settings.CSRF_COOKIE_NAME: token})
            if user is not None:
                client.force_login(user)
            before, max_ids = _state(), _max_ids()
            response = client.post(url, {**body, "csrfmiddlewaretoken": token})
            assert response.status_code < 500, f"{name}: {body!r} -> {response.status_code}"
            after = _state()
            if _rejected(response):
                outcomes["rejected"] += 1
                assert after == before, f"{name}: rejected POST {body!r} changed rows"
            else:
                outcomes["accepted"] += 1
                outcomes["wrote"] += after != before
                _assert_complete(before, after, max_ids=max_ids)
        finally:
            transaction.savepoint_rollback(savepoint)

    for body in hostile_corpus(form, valid=valid):
        example = explicit_example(body=body)(example)
    example()
    # The valid body is accepted: the fuzz reaches the write path, not only the form errors.
    assert outcomes["accepted"], f"{name}: no example was accepted ({dict(outcomes)})"
    if endpoint.writes:
        assert outcomes["wrote"], f"{name}: no accepted example wrote anything ({dict(outcomes)})"
    FUZZ_COUNTS["forms"] += 1
    FUZZ_COUNTS["examples"] += outcomes["accepted"] + outcomes["rejected"]
    FUZZ_COUNTS["accepted"] += outcomes["accepted"]

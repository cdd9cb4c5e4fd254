"""Manifest screens: list, open, fill by scanning, seal, print, dispatch, receive and reconcile.

Scoping: selectors.get_manifest_for_user — the sending branch edits (side="sender"), the receiving
branch receives (side="receiver"), either may read; any other branch gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branch_courier.accounts.access import counter_staff_required
from branch_courier.core.pagination import CappedPaginator
from packages_app import manifest_services as ms
from packages_app import selectors, transit_pdfs
from packages_app.lifecycle import TransitionError
from packages_app.models import Manifest, ManifestItem, manifest_pk_from_number
from packages_app.transit_forms import CodeScanForm, LostForm, ManifestOpenForm

# What each row shows (not the whole package with its addresses).
ITEM_FIELDS = (
    "outcome",
    "scanned_at",
    "added_at",
    "package__tracking_number",
    "package__status",
    "package__destination_branch__code",
)
ITEMS_PER_PAGE = 100
LIST_SIZE = 30


@login_required
@require_GET
@counter_staff_required()
def manifest_list(request):
    base = selectors.manifests_for_user(request.user).select_related("origin_branch", "destination_branch")
    ctx = {
        "outgoing": Paginator(base.filter(origin_branch_id=request.user.branch_id), LIST_SIZE).get_page(
            request.GET.get("out")
        ),
        "incoming": base.filter(
            destination_branch_id=request.user.branch_id, state=Manifest.State.DISPATCHED
        )[:LIST_SIZE],
        "open_form": ManifestOpenForm(user=request.user),
        "receive_form": CodeScanForm(label="Scan the manifest barcode to receive it"),
    }
    return render(request, "packages_app/manifest_list.html", ctx)


@login_required
@require_POST
@counter_staff_required()
def manifest_new(request):
    form = ManifestOpenForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            manifest = ms.manifest_open(
                actor=request.user, destination_branch=form.cleaned_data["destination_branch"]
            )
        except TransitionError as exc:
            form.add_error("destination_branch", str(exc))
        else:
            messages.success(request, f"Manifest {manifest.number} opened: scan packages into it.")
            return redirect("manifests:detail", pk=manifest.pk)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("manifests:list")


@login_required
@require_GET
def manifest_detail(request, pk):
    manifest = selectors.get_manifest_for_user(request.user, pk)
    items = ManifestItem.objects.filter(manifest=manifest)
    outcome = request.GET.get("outcome", "")
    filtered = outcome and outcome in ManifestItem.Outcome.values  # "" (pending) means all
    if filtered:
        items = items.filter(outcome=outcome)
    # Rows as plain dicts of the shown columns: an item, its package and the package's branch as
    # model instances (300 a page) were a sixth of the page's time.
    rows = items.values("id", *ITEM_FIELDS).order_by("added_at", "id")
    page = CappedPaginator(rows, ITEMS_PER_PAGE, counted=items).get_page(request.GET.get("page"))
    is_sender = manifest.origin_branch_id == request.user.branch_id and request.user.works_counter
    is_receiver = manifest.destination_branch_id == request.user.branch_id and request.user.works_counter
    ctx = {
        "manifest": manifest,
        "page": page,
        # Unfiltered, the paginator has counted them already.
        "item_count": manifest.items.count() if filtered else page.paginator.count,
        "outcome": outcome,
        "can_edit": is_sender and manifest.state == Manifest.State.OPEN,
        "can_dispatch": is_sender and manifest.state == Manifest.State.SEALED,
        "can_receive": is_receiver and manifest.state == Manifest.State.DISPATCHED,
        "can_settle": is_receiver
        and request.user.is_supervisor
        and manifest.state == Manifest.State.RECEIVED,
        "scan_form": CodeScanForm(label="Scan a package into this manifest"),
    }
    return render(request, "packages_app/manifest_detail.html", ctx)


def _act(request, pk, side, action, success):
    manifest = selectors.get_manifest_for_user(request.user, pk, side=side)
    try:
        result = action(manifest)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return manifest


@login_required
@require_POST
def manifest_add(request, pk):
    form = CodeScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Scan a tracking number.")
        return redirect(
            "manifests:detail", pk=selectors.get_manifest_for_user(request.user, pk, side="sender").pk
        )
    manifest = _act(
        request,
        pk,
        "sender",
        lambda m: ms.manifest_add(manifest=m, actor=request.user, code=form.cleaned_data["code"]),
        lambda item: f"{item.package.tracking_number} added.",
    )
    return redirect("manifests:detail", pk=manifest.pk)


@login_required
@require_POST
def manifest_remove(request, pk, item_id):
    manifest = _act(
        request,
        pk,
        "sender",
        lambda m: ms.manifest_remove(manifest=m, actor=request.user, item_id=item_id),
        lambda package: f"{package.tracking_number} removed from the manifest.",
    )
    return redirect("manifests:detail", pk=manifest.pk)


@login_required
@require_POST
def manifest_seal(request, pk):
    manifest = _act(
        request,
        pk,
        "sender",
        lambda m: ms.manifest_seal(manifest=m, actor=request.user),
        "Sealed. Print the manifest.",
    )
    return redirect("manifests:detail", pk=manifest.pk)


@login_required
@require_POST
def manifest_dispatch(request, pk):
    manifest = _act(
        request,
        pk,
        "sender",
        lambda m: ms.manifest_dispatch(manifest=m, actor=request.user),
        lambda m: f"Manifest {m.number} dispatched: {m.expected_count} package(s) in transit.",
    )
    return redirect("manifests:detail", pk=manifest.pk)


@login_required
@require_GET
def manifest_pdf(request, pk):
    manifest = selectors.get_manifest_for_user(request.user, pk)
    items = list(
        ManifestItem.objects.filter(manifest=manifest)
        .exclude(outcome=ManifestItem.Outcome.EXTRA)
        .select_related("package", "package__destination_branch")
        .order_by("added_at", "id")
    )
    response = HttpResponse(transit_pdfs.manifest_pdf(manifest, items), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{manifest.number}.pdf"'
    return response


@login_required
@require_POST
@counter_staff_required()
def manifest_receive_lookup(request):
    """The manifest barcode scanned at the receiving branch: open its receiving screen."""
    form = CodeScanForm(request.POST)
    pk = manifest_pk_from_number(form.data.get("code", ""))
    if pk is None:
        messages.error(
            request, "That is not a manifest number (MF + 8 digits) — scan the bag's manifest barcode."
        )
        return redirect("manifests:list")
    manifest = selectors.get_manifest_for_user(request.user, pk, side="receiver")
    return redirect("manifests:receive", pk=manifest.pk)


@login_required
@require_http_methods(["GET", "POST"])
def manifest_receive(request, pk):
    manifest = selectors.get_manifest_for_user(request.user, pk, side="receiver")
    form = CodeScanForm(request.POST or None, label="Scan each package from the bag")
    if request.method == "POST" and form.is_valid():
        try:
            scan = ms.manifest_receive_scan(
                manifest=manifest, actor=request.user, code=form.cleaned_data["code"]
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            (messages.warning if scan.extra else messages.success)(request, scan.message)
        return redirect("manifests:receive", pk=manifest.pk)
    counts = {
        "expected": manifest.items.exclude(outcome=ManifestItem.Outcome.EXTRA).count(),
        "scanned": manifest.items.filter(scanned_at__isnull=False)
        .exclude(outcome=ManifestItem.Outcome.EXTRA)
        .count(),
        "extra": manifest.items.filter(outcome=ManifestItem.Outcome.EXTRA).count(),
    }
    ctx = {"manifest": manifest, "form": form, "counts": counts}
    return render(request, "packages_app/manifest_receive.html", ctx)


@login_required
@require_POST
def manifest_receive_finish(request, pk):
    manifest = _act(
        request,
        pk,
        "receiver",
        lambda m: ms.manifest_receive_finish(manifest=m, actor=request.user),
        lambda m: (
            f"Manifest {m.number} received: {m.received_count} in, {m.missing_count} missing, "
            f"{m.extra_count} extra."
        ),
    )
    return redirect("manifests:detail", pk=manifest.pk)


def _item(request, pk, item_id):
    manifest = selectors.get_manifest_for_user(request.user, pk, side="receiver")
    item = ManifestItem.objects.filter(manifest=manifest, pk=item_id).first()
    if item is None:
        from django.http import Http404

        raise Http404("No such item")
    return manifest, item


@login_required
@require_POST
def manifest_item_found(request, pk, item_id):
    manifest, item = _item(request, pk, item_id)
    try:
        package = ms.manifest_item_found(item=item, actor=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{package.tracking_number} found and checked in.")
    return redirect("manifests:detail", pk=manifest.pk)


@login_required
@require_POST
def manifest_item_lost(request, pk, item_id):
    manifest, item = _item(request, pk, item_id)
    form = LostForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        package = ms.manifest_item_lost(item=item, actor=request.user, note=note)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{package.tracking_number} declared lost.")
    return redirect("manifests:detail", pk=manifest.pk)

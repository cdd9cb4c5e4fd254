"""Demo manifests for seed_demo: one bag being filled and one on the road, through the services."""

from django.db import transaction

from branch_courier.accounts.models import Branch, User
from packages_app import manifest_services as ms
from packages_app.lifecycle import Status
from packages_app.models import Manifest, ManifestItem, Package

PER_MANIFEST = 3


@transaction.atomic
def seed_manifests() -> int:
    """Create the demo manifests once (none if any manifest exists or the demo staff is missing)."""
    if Manifest.objects.exists():
        return 0
    clerk = User.objects.filter(role=User.Role.CLERK, branch__code="NYC01").first()
    destination = Branch.objects.filter(code="BOS01").first()
    if clerk is None or destination is None:
        return 0
    on_manifests = ManifestItem.objects.filter(in_open_manifest=True).values("package_id")
    candidates = list(
        Package.objects.filter(branch=clerk.branch, status=Status.RECEIVED)
        .exclude(pk__in=on_manifests)
        .order_by("created_at")
        .values_list("tracking_number", flat=True)[: 2 * PER_MANIFEST]
    )
    made = 0
    for index, numbers in enumerate((candidates[:PER_MANIFEST], candidates[PER_MANIFEST:])):
        if not numbers:
            break
        manifest = ms.manifest_open(actor=clerk, destination_branch=destination)
        for number in numbers:
            ms.manifest_add(manifest=manifest, actor=clerk, code=number)
        if index == 1:  # the second bag is on its way to BOS01, waiting to be received
            ms.manifest_seal(manifest=manifest, actor=clerk)
            ms.manifest_dispatch(manifest=manifest, actor=clerk)
        made += 1
    return made

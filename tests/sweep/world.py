"""Real objects owned by branch A, made through the real services, for the sweep and the fuzz.

Branch A: alice (clerk), bob (supervisor). Branch B: charlie (clerk), the outsider. Branch C only
receives: a package of A's goes to C, so charlie at B has no claim to see it even as "incoming".
"""

from dataclasses import dataclass
from decimal import Decimal

from branch_courier.accounts.models import Branch, User
from tests.factories import BranchFactory, ensure_tariff


@dataclass
class World:
    branch_a: Branch
    branch_b: Branch
    branch_c: Branch
    alice: User
    bob: User
    charlie: User

    def package(self, *, declared_value=Decimal("100.00"), actor=None):
        """A package taken in at A (by alice) for C: the intake service writes its event and audit."""
        from packages_app.services import Party, package_intake

        return package_intake(
            actor=actor or self.alice,
            sender=Party("Sam Sender", "+1 617 555 0100", "1 Sender St", "sam@example.com"),
            recipient=Party("Rita Recipient", "+1 212 555 0199", "2 Recipient Rd", "rita@example.com"),
            destination_branch=self.branch_c,
            service="STANDARD",
            weight_grams=1200,
            declared_value=declared_value,
        )

    def inquiry(self, **kwargs):
        """An open inquiry at A, opened by alice through the service."""
        from inquiries_app import services

        fields = {
            "customer_name": "Casey Customer",
            "customer_phone": "+1 617 555 0111",
            "category": "DELAY",
            "description": "Where is my parcel?",
            **kwargs,
        }
        return services.inquiry_create(actor=self.alice, **fields)

    def claim(self, *, amount=Decimal("80.00")):
        package = self.package()
        return self.inquiry(category="DAMAGE", tracking_number=package.tracking_number, claim_amount=amount)

    def manifest(self):
        """An open manifest of A's for C, with one of A's packages in it (the service writes both)."""
        from packages_app import manifest_services

        manifest = manifest_services.manifest_open(actor=self.alice, destination_branch=self.branch_c)
        item = manifest_services.manifest_add(
            manifest=manifest, actor=self.alice, code=self.package().tracking_number
        )
        return manifest, item

    def incoming_manifest(self):
        """A bag from C to A, sealed and dispatched by a clerk of C: A receives it."""
        from packages_app import manifest_services
        from packages_app.services import Party, package_intake
        from tests.factories import UserFactory

        clerk_c = UserFactory(username="cyrus", branch=self.branch_c, role="CLERK")
        package = package_intake(
            actor=clerk_c,
            sender=Party("Cy Sender", "+1 617 555 0100", "1 C St"),
            recipient=Party("Al Recipient", "+1 212 555 0199", "2 A Rd"),
            destination_branch=self.branch_a,
            service="STANDARD",
            weight_grams=900,
        )
        manifest = manifest_services.manifest_open(actor=clerk_c, destination_branch=self.branch_a)
        item = manifest_services.manifest_add(manifest=manifest, actor=clerk_c, code=package.tracking_number)
        manifest_services.manifest_seal(manifest=manifest, actor=clerk_c)
        manifest = manifest_services.manifest_dispatch(manifest=manifest, actor=clerk_c)
        return manifest, item

    def delivered_package(self):
        """A package from C handed over at A (alice received it and gave it out): it has a POD."""
        from packages_app import handover
        from packages_app.services import Party, package_dispatch, package_intake, package_receive
        from tests.factories import UserFactory

        clerk_c = UserFactory(username="cyrus", branch=self.branch_c, role="CLERK")
        package = package_intake(
            actor=clerk_c,
            sender=Party("Cy Sender", "+1 617 555 0100", "1 C St"),
            recipient=Party("Al Recipient", "+1 212 555 0199", "2 A Rd"),
            destination_branch=self.branch_a,
            service="STANDARD",
            weight_grams=900,
        )
        package = package_receive(package=package_dispatch(package=package, actor=clerk_c), actor=self.alice)
        handover.package_handover(
            package=package,
            actor=self.alice,
            collector=handover.Collector("Al Recipient", "PASSPORT", "7F3K"),
        )
        return package

    def drawer(self):
        """alice's open cash drawer (a clerk has at most one open)."""
        from packages_app.drawer import drawer_open, open_drawer_for

        return open_drawer_for(self.alice) or drawer_open(actor=self.alice, opening_float=Decimal("100.00"))


def build_world(*, branch_a, branch_b, alice, bob, charlie) -> World:
    from tests.inquiries_app.conftest import ensure_sla_policies

    # Migration data is gone after a transactional test elsewhere flushed the tables.
    ensure_tariff()
    ensure_sla_policies()
    branch_c = BranchFactory(code="CCC01", name="Charlie Hub", city="Hubtown")
    return World(branch_a, branch_b, branch_c, alice, bob, charlie)

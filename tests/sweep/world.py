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


def build_world(*, branch_a, branch_b, alice, bob, charlie) -> World:
    from tests.inquiries_app.conftest import ensure_sla_policies

    # Migration data is gone after a transactional test elsewhere flushed the tables.
    ensure_tariff()
    ensure_sla_policies()
    branch_c = BranchFactory(code="CCC01", name="Charlie Hub", city="Hubtown")
    return World(branch_a, branch_b, branch_c, alice, bob, charlie)

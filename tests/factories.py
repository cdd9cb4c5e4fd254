"""factory-boy factories for test data (no fixture files)."""

from decimal import Decimal

import factory
from django.utils import timezone

from branch_courier.accounts.models import Branch, User

PASSWORD = "correct-horse-battery"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Branch {o.code}")
    city = factory.Faker("city")
    opening_hours = "Mon-Fri 08:00-18:00"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    branch = factory.SubFactory(BranchFactory)
    role = User.Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class PackageFactory(factory.django.DjangoModelFactory):
    """A package as taken in at `branch` (status RECEIVED unless given), with its RECEIVED event."""

    class Meta:
        model = "packages_app.Package"
        skip_postgeneration_save = True

    tracking_number = factory.LazyFunction(lambda: _s10().next_tracking_number())
    status = "RECEIVED"
    status_changed_at = factory.LazyFunction(timezone.now)
    origin_branch = factory.SubFactory(BranchFactory)
    destination_branch = factory.SubFactory(BranchFactory)
    branch = factory.SelfAttribute("origin_branch")
    sender_name = factory.Faker("name")
    sender_phone = "+1 617 555 0100"
    sender_address = "1 Sender Street\nBoston"
    recipient_name = factory.Faker("name")
    recipient_phone = "+1 212 555 0199"
    recipient_phone_digits = factory.LazyAttribute(
        lambda o: "".join(c for c in o.recipient_phone if c.isdigit())
    )
    recipient_address = "2 Recipient Road\nNew York"
    weight_grams = 1200
    fee = Decimal("8.50")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def with_event(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from packages_app.models import PackageEvent

            PackageEvent.objects.create(
                package=self, status=self.status, branch=self.branch, at=self.created_at
            )


def _s10():
    from packages_app import s10

    return s10


def ensure_tariff():
    """The starter tariff of migration 0002, again: transactional tests flush the table."""
    import importlib

    from packages_app.models import Tariff

    starter = importlib.import_module("packages_app.migrations.0002_tracking_sequence_and_tariffs")
    for service, prices in (("STANDARD", starter.STANDARD), ("EXPRESS", starter.EXPRESS)):
        for grams, price in zip(starter.BANDS_GRAMS, prices, strict=True):
            Tariff.objects.get_or_create(
                service=service, max_weight_grams=grams, defaults={"price": Decimal(price)}
            )


def make_package(*, actor, destination, declared_value=Decimal("100.00")):
    """A package taken in through the real intake service at the actor's branch."""
    from packages_app.services import Party, package_intake

    return package_intake(
        actor=actor,
        sender=Party("Sam Sender", "+1 617 555 0100", "1 Sender St"),
        recipient=Party("Rita Recipient", "+1 212 555 0199", "2 Recipient Rd"),
        destination_branch=destination,
        service="STANDARD",
        weight_grams=1200,
        declared_value=declared_value,
    )

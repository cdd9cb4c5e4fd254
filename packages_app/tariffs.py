"""The fee for a package: the one place that reads the tariff (weight bands × service)."""

from decimal import Decimal

from packages_app.models import Tariff


class NoTariffError(Exception):
    """No active band covers this weight for this service; the message is for the clerk."""


def quote_fee(*, service: str, weight_grams: int) -> Decimal:
    band = (
        Tariff.objects.filter(service=service, is_active=True, max_weight_grams__gte=weight_grams)
        .order_by("max_weight_grams")
        .first()
    )
    if band is None:
        heaviest = (
            Tariff.objects.filter(service=service, is_active=True).order_by("-max_weight_grams").first()
        )
        if heaviest is None:
            raise NoTariffError("No tariff is set up for this service; ask an admin.")
        raise NoTariffError(
            f"Too heavy: the heaviest band for this service is {heaviest.max_weight_grams:,} g."
        )
    return band.price

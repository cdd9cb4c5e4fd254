"""UPU S10 tracking numbers: the one place that builds, normalises and validates them.

Format: two service letters, an 8-digit serial, a check digit and a 2-letter country code,
e.g. RB123456785GB. Check digit: weights 8,6,4,2,3,5,9,7 over the serial; C = 11 - (S mod 11),
with C = 10 -> 0 and C = 11 -> 5.
"""

import re

from django.conf import settings

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
SERIAL_MAX = 99_999_999
_SHAPE = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")


class TrackingNumberError(ValueError):
    """Scanned or typed input that is not a valid S10 number; the message is for the clerk."""

    def __init__(self, message: str, *, value: str, wrong_check_digit: bool = False):
        super().__init__(message)
        self.value = value
        self.wrong_check_digit = wrong_check_digit


def check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial."""
    total = sum(int(digit) * weight for digit, weight in zip(serial, WEIGHTS, strict=True))
    c = 11 - (total % 11)
    return {10: 0, 11: 5}.get(c, c)


def normalise(raw: str) -> str:
    """What a scanner or a clerk typed, as the canonical form: trimmed, upper-case, no spaces."""
    return re.sub(r"\s+", "", (raw or "")).upper()


def validate(raw: str) -> str:
    """Normalise and validate; return the canonical number or raise TrackingNumberError.

    Runs before any database lookup, so a misread barcode never costs a query.
    """
    value = normalise(raw)
    if not value:
        raise TrackingNumberError("Enter or scan a tracking number.", value=value)
    if not _SHAPE.match(value):
        raise TrackingNumberError(
            f"{value[:40]} is not a tracking number (expected two letters, nine digits, two letters, "
            "e.g. RB123456785US).",
            value=value,
        )
    serial, digit = value[2:10], int(value[10])
    if check_digit(serial) != digit:
        raise TrackingNumberError(
            f"{value} has a wrong check digit — rescan.", value=value, wrong_check_digit=True
        )
    return value


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except TrackingNumberError:
        return False
    return True


def build(serial: int, *, service: str | None = None, country: str | None = None) -> str:
    """The tracking number for a serial, with the configured service letters and country code."""
    if not 0 < serial <= SERIAL_MAX:
        raise ValueError(f"S10 serial out of range: {serial}")
    service = (service or settings.S10_SERVICE_LETTERS).upper()
    country = (country or settings.S10_COUNTRY).upper()
    digits = f"{serial:08d}"
    return f"{service}{digits}{check_digit(digits)}{country}"


SEQUENCE = "packages_tracking_serial_seq"


def allocate_serials(count: int = 1) -> list[int]:
    """Reserve `count` serials, unique under concurrency and never reused.

    PostgreSQL: nextval() on a real SEQUENCE (created in migration 0002); it never hands out a
    value twice, even across rolled-back transactions. SQLite: a one-row counter updated inside
    the caller's transaction (SQLite serialises writers, so two intakes cannot read the same value).
    """
    from django.db import connection, transaction

    from packages_app.models import TrackingSerialCounter

    if count < 1:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE, count])
            return [row[0] for row in cursor.fetchall()]
    with transaction.atomic():
        counter, _ = TrackingSerialCounter.objects.select_for_update().get_or_create(pk=1)
        first = counter.last_value + 1
        counter.last_value += count
        counter.save(update_fields=["last_value"])
    return list(range(first, first + count))


def next_tracking_number() -> str:
    return build(allocate_serials(1)[0])

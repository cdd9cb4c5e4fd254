"""Streamed CSV downloads: the one place for formula-injection safety and chunked streaming."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse


class _Echo:
    """csv.writer wants a file; this one hands each line straight back."""

    def write(self, value):
        return value


def csv_safe(value):
    """Spreadsheets run cells starting with = + - @ (or tab/CR) as formulas; defuse them.

    Names, phone numbers and usernames are typed by strangers, so every exported text cell
    passes through here.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(header: list[str], rows: Iterable[Iterable]):
    """Yield CSV lines: the header, then each row with every cell made safe."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_safe(value) for value in row])


def csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

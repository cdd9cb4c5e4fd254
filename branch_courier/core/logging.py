"""JSON log lines with service, environment, request id and user id on every record."""

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from branch_courier.core.request_context import current_request_id, current_user_id


class ContextFilter:
    """Adds the fields operators search by; never adds request bodies or headers."""

    def filter(self, record) -> bool:
        record.service = getattr(settings, "SERVICE_NAME", "branch-courier-app")
        record.environment = getattr(settings, "ENVIRONMENT", "development")
        record.request_id = current_request_id()
        record.user_id = current_user_id()
        return True


class JsonFormatter(_BaseJsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt",
            "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(service)s %(environment)s %(request_id)s %(user_id)s",
        )
        kwargs.setdefault("rename_fields", {"asctime": "timestamp", "levelname": "level", "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        from datetime import UTC, datetime

        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")

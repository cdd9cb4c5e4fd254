"""The auditor's filter form: every field optional, times in UTC, bad input is a field error."""

import datetime

from django import forms
from django.db.models import Q

from audit.models import AuditLogQuerySet

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class UTCDateTimeField(forms.DateTimeField):
    """A datetime typed by the auditor, always read as UTC (the trail is kept in UTC)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        super().__init__(input_formats=DATETIME_FORMATS, required=False, **kwargs)

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            result = result.replace(tzinfo=datetime.UTC)
        return result


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, max_length=150, label="User", help_text="Exact username.")
    branch = forms.CharField(
        required=False, max_length=8, label="Branch", help_text="Branch code, e.g. NYC01."
    )
    action = forms.CharField(
        required=False,
        max_length=200,
        label="Action",
        help_text="Starts with, e.g. <code>package.</code> or <code>POST /packages/</code>.",
    )
    object_type = forms.CharField(required=False, max_length=64, label="Object type")
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    since = UTCDateTimeField(label="From (UTC)")
    until = UTCDateTimeField(label="Until (UTC)", help_text="Not included.")
    q = forms.CharField(required=False, max_length=128, label="Request id or IP")

    def clean_branch(self):
        return self.cleaned_data["branch"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since >= until:
            self.add_error("until", "Must be later than “From”.")
        return cleaned

    def filter(self, rows: AuditLogQuerySet) -> AuditLogQuerySet:
        """Apply the valid filters; each one matches an index (see AuditLog.Meta.indexes)."""
        data = self.cleaned_data
        if data.get("user"):
            rows = rows.filter(username=data["user"].strip())
        if data.get("branch"):
            rows = rows.filter(branch_code=data["branch"])
        if data.get("action"):
            rows = rows.filter(action__startswith=data["action"].strip())
        if data.get("object_type"):
            rows = rows.filter(object_type=data["object_type"].strip().lower())
        if data.get("object_id"):
            rows = rows.filter(object_id=data["object_id"].strip())
        if data.get("since"):
            rows = rows.filter(timestamp__gte=data["since"])
        if data.get("until"):
            rows = rows.filter(timestamp__lt=data["until"])
        if data.get("q"):
            rows = rows.filter(_request_id_or_ip(data["q"].strip()))
        return rows

    def applied(self) -> dict[str, str]:
        """The filters in effect, as text, for the export's own audit record."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _request_id_or_ip(term: str) -> Q:
    import ipaddress

    try:
        return Q(ip=str(ipaddress.ip_address(term)))
    except ValueError:
        return Q(request_id=term)

"""The auditor's read-only view of the trail: a filtered, paginated list and a streamed CSV."""

import datetime
import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.access import audit_rows_for
from audit.forms import AuditFilterForm
from audit.services import audit_record
from branch_courier.core.csv_export import csv_lines, csv_response

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
CSV_COLUMNS = [
    "timestamp_utc",
    "username",
    "user_id",
    "branch",
    "action",
    "status_code",
    "duration_ms",
    "ip",
    "user_agent",
    "request_id",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
]


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
@login_required
def audit_list(request):
    rows = audit_rows_for(request.user)
    form = AuditFilterForm(request.GET or None)
    page = _page_number(request)
    entries, has_next = [], False
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        if form.is_bound:
            rows = form.filter(rows)
        # One query and no COUNT(*): one row more than a page tells whether there is a next page.
        offset = (page - 1) * PAGE_SIZE
        entries = list(rows[offset : offset + PAGE_SIZE + 1])
        has_next = len(entries) > PAGE_SIZE
        entries = entries[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "entries": entries,
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "query": query.urlencode(),
        "scoped_branch": None if request.user.is_superuser else getattr(request.user.branch, "code", None),
    }
    return render(request, "audit/list.html", ctx, status=status)


def _csv_rows(rows):
    for entry in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            entry.timestamp.astimezone(datetime.UTC).isoformat(),
            entry.username,
            entry.user_id or "",
            entry.branch_code,
            entry.action,
            entry.status_code or "",
            "" if entry.duration_ms is None else entry.duration_ms,
            entry.ip or "",
            entry.user_agent,
            entry.request_id,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.changes, sort_keys=True) if entry.changes else "",
        ]


@require_GET
@login_required
def audit_export(request):
    rows = audit_rows_for(request.user)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        ctx = {"form": form, "entries": [], "page": 1, "query": "", "scoped_branch": None}
        return render(request, "audit/list.html", ctx, status=400)
    rows = form.filter(rows)
    # Who exported which range is itself part of the trail.
    audit_record(action="audit.export", actor=request.user, request=request, changes=form.applied())
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = csv_response(csv_lines(CSV_COLUMNS, _csv_rows(rows)), f"audit-{stamp}.csv")
    response["Cache-Control"] = "no-store"
    return response

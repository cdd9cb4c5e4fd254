"""Branded error pages. They render without the database so they work during an outage."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader


def permission_denied(request, exception=None):
    # Our refusals say who may do this ("Only supervisors see the end-of-day report."), fixed text
    # written for the person; Django's own carry no message and get the general sentence.
    reason = str(exception) if exception is not None and exception.args else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def csrf_failure(request, reason=""):
    message = "This form has expired or was not sent from this site. Go back, reload the page and try again."
    return render(request, "403.html", {"reason": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Called inside Django's exception handler, so the exception is still at hand. A database
    # outage is a 503 ("try again"), not a bug. No context processors: they could query.
    exc = sys.exc_info()[1]
    context = {"request_id": getattr(request, "request_id", "")}
    if isinstance(exc, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(context), status=500)

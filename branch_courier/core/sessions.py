"""Session middleware whose save can never turn a committed change into an error page.

The session is saved after the view has committed its work. If the database goes away in
between (seen in `make resilience`: parcels registered, yet the clerk saw the 503 page and would
have registered them again), the change is done and the response must say so; only the session
update (a flash message, the idle-timeout stamp) is lost. The old cookie stays valid.
"""

import logging

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError

logger = logging.getLogger("branch_courier.sessions")


class ResilientSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        try:
            # The database session store saves inside its own atomic block, so a failure here
            # cannot poison a transaction the view left open.
            return super().process_response(request, response)
        # Django turns a failed UPDATE of the session row into SessionInterrupted (a 400).
        except (DatabaseError, SessionInterrupted) as exc:
            logger.warning(
                "session save failed; response sent without it",
                extra={"path": request.path_info, "error": type(exc).__name__},
            )
            return response

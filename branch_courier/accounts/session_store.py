"""The session store: Django's cached_db, reading a session together with its signed-in user.

Every signed-in page reads its session from the cache, then the user the session names
(user_cache.py): two Redis round trips, each about 80 µs of CPU here, of a cached page's ~0.9 ms.
A session's user never changes (signing in starts a new session key, signing out ends the
session), so each process remembers which user each session it has served belongs to. On that
session's next request, the session and that user's cache entry are read in one get_many.

Nothing about who is signed in moves here: the session read still decides it, and the user entry
read with it is used only for the user the session names (a wrong guess is simply not used). The
entry is the same one user_cache.get reads, dropped by the same changes, so nothing is served
longer than before. Only SignedInUserMiddleware asks for it (user_cache.prefetching()); any
other session load is Django's own.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from branch_courier.accounts import user_cache

# Sessions seen by this process → their user's id. Bounded: cleared when full, which only costs
# each session one more two-round-trip read.
REMEMBERED_SESSIONS = 10_000
_users_of_sessions: dict[str, object] = {}


def remember(session_key: str | None, user_id) -> None:
    if not session_key:
        return
    if len(_users_of_sessions) >= REMEMBERED_SESSIONS:
        _users_of_sessions.clear()
    _users_of_sessions[session_key] = user_id


class SessionStore(CachedDBStore):
    def load(self):
        box = user_cache.prefetched()
        user_id = _users_of_sessions.get(self.session_key) if self.session_key else None
        # user_cache reads the default cache: with another one for sessions, two reads as before.
        same_cache = settings.SESSION_CACHE_ALIAS == "default"
        if box is None or user_id is None or not user_cache.enabled() or not same_cache:
            return super().load()
        user_key = user_cache.cache_key(user_id)
        try:
            found = self._cache.get_many([self.cache_key, user_key]) or {}
        except Exception:  # as cached_db's own read: a bad key or backend error is a miss
            found = {}
        data = found.get(self.cache_key)
        if data is None:  # not in the cache: cached_db reads the database (and fills the cache)
            return super().load()
        box[user_id] = found.get(user_key)  # None: not cached, user_cache.get loads it
        return data

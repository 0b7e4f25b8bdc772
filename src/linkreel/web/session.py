"""Browser sessions: API id + key → a signed, HttpOnly, SameSite=Lax cookie; CSRF tokens.

The cookie holds `<api_id>.<issued>.<nonce>.<mac>`, where mac = HMAC-SHA256 keyed by the workspace's
stored key hash (a server-side secret the browser never sees). So no new secret setting is needed, and
rotating a workspace's key ends its sessions. The API key itself is never stored or put in a URL.

Sessions are also kept server-side: sign-in stores a `browser_sessions` row named by sha256(nonce) and
every request needs it, so signing out (which deletes it) revokes the cookie everywhere, including a
copy. The row holds no secret: the hash cannot be turned back into a cookie.

CSRF: forms carry `csrf_token` and scripts send `X-CSRF-Token`; the token is an HMAC of the session
nonce, so it is bound to one session. Before sign-in there is no session, so the sign-in form uses a
double-submit cookie (`lr_csrf`) instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import delete

from linkreel.api.auth import workspace_by_api_id
from linkreel.api.limits import throttled
from linkreel.jobs.models import BrowserSession, Workspace

SESSION_COOKIE = "lr_session"
PRESESSION_COOKIE = "lr_csrf"
CSRF_HEADER = "x-csrf-token"
MAX_AGE_S = 7 * 24 * 3600


class NotSignedIn(Exception):
    """No valid session: pages redirect to /signin/, JSON endpoints answer 401."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token: 403."""


@dataclass(frozen=True)
class WebSession:
    workspace: Workspace  # detached row
    csrf_token: str


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _csrf_for(workspace: Workspace, nonce: str) -> str:
    return _mac(workspace.key_hash, f"csrf:{nonce}")


def _session_id(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue_cookie(response: Response, request: Request, workspace: Workspace) -> None:
    nonce = secrets.token_urlsafe(16)
    payload = f"{workspace.api_id}.{int(time.time())}.{nonce}"
    value = f"{payload}.{_mac(workspace.key_hash, payload)}"
    expired = datetime.now(UTC) - timedelta(seconds=MAX_AGE_S)
    with request.app.state.db.session(write=True) as s:
        # Cookies past MAX_AGE_S are refused anyway: their rows go as the workspace signs in again.
        s.execute(delete(BrowserSession).where(BrowserSession.workspace_id == workspace.id,
                                               BrowserSession.created_at < expired))
        s.add(BrowserSession(id=_session_id(nonce), workspace_id=workspace.id))
    response.set_cookie(SESSION_COOKIE, value, max_age=MAX_AGE_S, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def _cookie_parts(request: Request) -> tuple[str, str, str, str] | None:
    parts = request.cookies.get(SESSION_COOKIE, "").split(".")
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    return parts[0], parts[1], parts[2], parts[3]


def read_session(request: Request) -> WebSession | None:
    """The valid session of this request, or None (bad signature, expired, signed out, unknown or
    disabled workspace)."""
    parts = _cookie_parts(request)
    if parts is None:
        return None
    api_id, issued, nonce, mac = parts
    if time.time() - int(issued) > MAX_AGE_S:
        return None
    with request.app.state.db.session() as s:
        workspace = workspace_by_api_id(s, api_id)
        if workspace is None or not workspace.active:
            return None
        if not hmac.compare_digest(mac, _mac(workspace.key_hash, f"{api_id}.{issued}.{nonce}")):
            return None
        row = s.get(BrowserSession, _session_id(nonce))
        if row is None or row.workspace_id != workspace.id:
            return None  # signed out: the cookie is valid-looking but revoked
    return WebSession(workspace, _csrf_for(workspace, nonce))


def revoke(request: Request) -> None:
    """Sign-out: the session's row goes, so this cookie (and any copy of it) is no session any more."""
    parts = _cookie_parts(request)
    if parts is None:
        return
    with request.app.state.db.session(write=True) as s:
        s.execute(delete(BrowserSession).where(BrowserSession.id == _session_id(parts[2])))


def check_csrf(session: WebSession, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, session.csrf_token):
        raise CsrfRejected


def presession_token(request: Request) -> str:
    """The sign-in form's token: the existing `lr_csrf` cookie's value, or a new one (set by the caller)."""
    return request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(24)


def check_presession(request: Request, token: str | None) -> None:
    cookie = request.cookies.get(PRESESSION_COOKIE)
    if not cookie or not token or not hmac.compare_digest(cookie, token):
        raise CsrfRejected


def _signed_in(request: Request) -> WebSession:
    session = read_session(request)
    if session is None:
        raise NotSignedIn
    # Same per-workspace budget as the API: the browser is just another client.
    wait = request.app.state.rate_limiter.take(session.workspace.id)
    if wait is not None:
        raise throttled(wait)
    return session


def _signed_in_write(request: Request, session: Annotated[WebSession, Depends(_signed_in)]) -> WebSession:
    check_csrf(session, request.headers.get(CSRF_HEADER))
    return session


SignedIn = Annotated[WebSession, Depends(_signed_in)]
"""A page or read endpoint: the session (NotSignedIn otherwise)."""

SignedInWrite = Annotated[WebSession, Depends(_signed_in_write)]
"""A JSON write from our scripts: the session plus a valid `X-CSRF-Token` header."""

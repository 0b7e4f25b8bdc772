"""Workspaces and API keys: `X-API-ID` / `X-API-KEY` authentication (contract §1).

    from linkreel.api.auth import CurrentWorkspace

    @router.get("/api/things/")
    def things(workspace: CurrentWorkspace): ...     # a detached Workspace row

    ws, api_id, api_key, webhook_secret = create_workspace(session, "Acme", credits=100)

Missing headers → 401 "Authentication credentials were not provided."; unknown id or wrong key →
401 "Incorrect authentication credentials."; a disabled workspace → 403.

Keys are random 256-bit secrets stored only as scrypt hashes with a per-key salt and compared in
constant time. A verified (id, key) pair is remembered in-process by a SHA-256 digest, so polling
clients do not pay for scrypt on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from sqlalchemy import select
from sqlalchemy.orm import Session

from linkreel.api.errors import ApiError
from linkreel.api.limits import throttled
from linkreel.jobs import credits as ledger
from linkreel.jobs.models import Workspace

NOT_PROVIDED = "Authentication credentials were not provided."
INCORRECT = "Incorrect authentication credentials."
FORBIDDEN = "You do not have permission to perform this action."

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_DKLEN = 32

# Declared as security schemes so /docs has an "Authorize" button and schemathesis sends them.
api_id_header = APIKeyHeader(name="X-API-ID", scheme_name="ApiId", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-KEY", scheme_name="ApiKey", auto_error=False)


# --------------------------------------------------------------------------- key hashing


def hash_key(key: str) -> str:
    """`scrypt$n$r$p$<salt hex>$<hash hex>`: self-describing, so parameters can change later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(key.encode(), salt=salt, dklen=_DKLEN, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(**_SCRYPT, salt=salt.hex(), digest=digest.hex())


def verify_key(key: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            key.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(bytes.fromhex(digest))
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


class _VerifiedCache:
    """Digests of (stored hash, key) pairs that verified. Bounded; a key change misses the cache.

    Single flight: concurrent first requests with the same key wait for one scrypt run instead of
    each paying for their own (200 clients starting at once would otherwise queue 200 of them)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._seen: dict[bytes, None] = {}
        self._pending: dict[bytes, threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _digest(key: str, stored: str) -> bytes:
        return hashlib.sha256(f"{stored}\0{key}".encode()).digest()

    def verify(self, key: str, stored: str) -> bool:
        digest = self._digest(key, stored)
        with self._lock:
            if digest in self._seen:
                return True
            flight = self._pending.setdefault(digest, threading.Lock())
        with flight:
            with self._lock:
                if digest in self._seen:
                    return True
            ok = verify_key(key, stored)
            with self._lock:
                self._pending.pop(digest, None)
                if ok:
                    if len(self._seen) >= self._size:
                        self._seen.pop(next(iter(self._seen)))
                    self._seen[digest] = None
            return ok


_verified = _VerifiedCache()


# --------------------------------------------------------------------------- workspaces


def create_workspace(session: Session, name: str = "", credits: float = 0) -> tuple[Workspace, str, str, str]:
    """A new active workspace; returns (workspace, api_id, api_key, webhook_secret).

    The key is shown once: only its hash is stored. `credits` > 0 adds a grant to the ledger.
    """
    api_id = secrets.token_hex(16)
    api_key = secrets.token_urlsafe(32)
    webhook_secret = "whsec_" + secrets.token_urlsafe(32)
    workspace = Workspace(name=name, api_id=api_id, key_hash=hash_key(api_key), webhook_secret=webhook_secret)
    session.add(workspace)
    session.flush()
    if credits > 0:
        ledger.grant(session, workspace.id, credits, note="initial credits")
    return workspace, api_id, api_key, webhook_secret


def workspace_by_api_id(session: Session, api_id: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.api_id == api_id))


def authenticate(session: Session, api_id: str | None, api_key: str | None) -> Workspace:
    """The workspace for these credentials, or ApiError 401/403."""
    if not api_id or not api_key:
        raise ApiError.detail(401, NOT_PROVIDED)
    workspace = workspace_by_api_id(session, api_id.strip())
    if workspace is None:
        hash_key(api_key)  # same work as a real check: timing does not tell whether the id exists
        raise ApiError.detail(401, INCORRECT)
    if not _verified.verify(api_key, workspace.key_hash):
        raise ApiError.detail(401, INCORRECT)
    if not workspace.active:
        raise ApiError.detail(403, FORBIDDEN)
    return workspace


def current_workspace(
    request: Request,
    api_id: Annotated[str | None, Depends(api_id_header)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Workspace:
    """FastAPI dependency: the authenticated workspace (detached; read its columns freely)."""
    with request.app.state.db.session() as session:
        workspace = authenticate(session, api_id, api_key)
    wait = request.app.state.rate_limiter.take(workspace.id)
    if wait is not None:
        raise throttled(wait)
    return workspace


CurrentWorkspace = Annotated[Workspace, Depends(current_workspace)]

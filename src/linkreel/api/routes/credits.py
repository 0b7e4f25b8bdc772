"""`GET /api/remaining_credits/` (contract §6.4): the workspace's ledger balance."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from linkreel.api.auth import CurrentWorkspace
from linkreel.api.deps import DbDep
from linkreel.jobs import credits

router = APIRouter(tags=["workspace"])


class RemainingCredits(BaseModel):
    remaining_credits: float


@router.get("/api/remaining_credits/", response_model=RemainingCredits)
def remaining_credits(workspace: CurrentWorkspace, db: DbDep) -> RemainingCredits:
    with db.session() as session:
        return RemainingCredits(remaining_credits=credits.balance(session, workspace.id))

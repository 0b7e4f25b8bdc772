"""`keys create` and `credits add`, then the printed keys work against the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from linkreel.api.app import create_app
from linkreel.cli_admin import credits_app, keys_app
from linkreel.config import Settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINKREEL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LINKREEL_DATABASE_URL", raising=False)
    return tmp_path


def test_keys_create_then_credits_add(data_dir: Path) -> None:
    result = runner.invoke(keys_app, ["create", "--name", "Acme", "--credits", "12.5", "--json"])
    assert result.exit_code == 0, result.output
    keys = json.loads(result.stdout)
    assert set(keys) == {"api_id", "api_key", "webhook_secret"}

    result = runner.invoke(credits_app, ["add", keys["api_id"], "7.5"])
    assert result.exit_code == 0, result.output
    assert "20 credits" in result.stdout

    with TestClient(create_app(Settings(data_dir=data_dir))) as client:
        headers = {"X-API-ID": keys["api_id"], "X-API-KEY": keys["api_key"]}
        assert client.get("/api/remaining_credits/", headers=headers).json() == {"remaining_credits": 20}


def test_keys_create_plain_output_warns_once(data_dir: Path) -> None:
    result = runner.invoke(keys_app, ["create"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["api_key"]
    assert "cannot be shown again" in result.stderr


def test_credits_add_errors(data_dir: Path) -> None:
    result = runner.invoke(credits_app, ["add", "nobody", "5"])
    assert result.exit_code == 1 and "no workspace" in result.stderr
    assert runner.invoke(credits_app, ["add", "nobody", "-5"]).exit_code != 0
    assert runner.invoke(keys_app, ["create", "--credits", "-1"]).exit_code != 0

"""The deployment files users copy (deploy/): every setting they name exists, every command runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from linkreel.config import Settings
from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
FIELDS = {f"LINKREEL_{name.upper()}" for name in Settings.model_fields}


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _env_file_keys(path: Path) -> set[str]:
    return {line.split("=", 1)[0] for line in path.read_text().splitlines() if line and not line.startswith("#")}


def test_every_linkreel_variable_is_a_setting() -> None:
    compose = _compose()
    named = set(compose["x-linkreel-env"]) | _env_file_keys(DEPLOY / "systemd" / "linkreel.env")
    for unit in (DEPLOY / "systemd").glob("*.service"):
        named |= set(re.findall(r"Environment=(LINKREEL_[A-Z0-9_]+)=", unit.read_text()))
    assert named and named <= FIELDS, named - FIELDS
    # Every URL a setting holds is accepted by the code that parses it.
    settings = Settings(**{k.removeprefix("LINKREEL_").lower(): v for k, v in compose["x-linkreel-env"].items()})
    from linkreel.storage import S3Storage, open_storage

    assert isinstance(open_storage(settings), S3Storage)


def _commands() -> list[list[str]]:
    compose = _compose()
    cmds = [compose["services"]["worker"]["command"]]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    cmds.append(eval(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)))  # noqa: S307 (our own file)
    for unit in (DEPLOY / "systemd").glob("*.service"):
        line = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.M).group(1)
        cmds.append(["linkreel", *shlex.split(line)[1:]])
    return cmds


@pytest.mark.parametrize("cmd", _commands(), ids=lambda c: " ".join(c[:2]))
def test_commands_parse(cmd: list[str]) -> None:
    # `--help` after the real options: Typer parses them all, so a renamed option fails here.
    out = subprocess.run([sys.executable, "-m", "linkreel", *cmd[1:], "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr

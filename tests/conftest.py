"""Suite-wide setup: keep the default suite on its embedded backends, whatever the shell exports.

`make services` writes `.services.env`, and `make test` exports it, so LINKREEL_DATABASE_URL,
LINKREEL_QUEUE_URL and LINKREEL_STORAGE_URL may point at the shared loopback PostgreSQL, Redis and
SeaweedFS. Tests that build `Settings()` from the environment (and the `linkreel` subprocesses
they start) must not silently share those servers: each test gets its own SQLite file and
SqliteHuey queue in a temp dir, so they are removed here, before any test module is imported.
Voices are pinned to espeak-ng (see below).
The tests written for the real servers read the LINKREEL_TEST_* variables instead
(tests/test_credits_db.py, tests/test_services.py).
"""

from __future__ import annotations

import os

import pytest

SHARED_SERVER_VARS = ("LINKREEL_DATABASE_URL", "LINKREEL_QUEUE_URL", "LINKREEL_STORAGE_URL")
TEST_SERVER_VARS = ("LINKREEL_TEST_DATABASE_URL", "LINKREEL_TEST_QUEUE_URL", "LINKREEL_TEST_STORAGE_URL")

for _name in SHARED_SERVER_VARS:
    os.environ.pop(_name, None)

# The default run speaks with espeak-ng only: Piper and Kokoro (installed by `make venv`, the default
# route for en/es/it/pt/ja/zh/ko) cost seconds per line. Their tests are marked heavy and ask for them.
os.environ["LINKREEL_VOICE_ENGINES"] = "espeak"


def pytest_report_header(config: pytest.Config) -> list[str]:
    given = [name.removeprefix("LINKREEL_TEST_").removesuffix("_URL").lower()
             for name in TEST_SERVER_VARS if os.environ.get(name)]
    return [f"linkreel scale-out servers: {', '.join(given) if given else 'none (run `make services`)'}"]

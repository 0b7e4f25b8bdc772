"""Media storage (local directory and S3) and its HTTP face, /media, plus /healthz, /readyz, /metrics.

The S3 cases run against the SeaweedFS server of `make services` (LINKREEL_TEST_STORAGE_URL) and
skip with the reason when it is not there.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from linkreel.api.app import create_app
from linkreel.config import Settings
from linkreel.errors import InputError
from linkreel.storage import LocalStorage, S3Storage, Storage, StorageError, check_key, open_storage, patiently
from tests.api_support import make_settings
from tests.helpers import pump
from tests.webhook_support import wait_for

pytest_plugins = ["tests.api_support"]

BODY = os.urandom(300_000) + b"the end"


@pytest.mark.parametrize("key", ["../x", "a/../../b", "/etc/passwd", "a//b", "", ".hidden", "a/.", "a\\b",
                                 "a/b/", "x" * 600])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(InputError):
        check_key(key)


def test_open_storage_by_url(tmp_path: Path) -> None:
    assert isinstance(open_storage(Settings(data_dir=tmp_path)), LocalStorage)
    local = open_storage(Settings(data_dir=tmp_path, storage_url=f"file://{tmp_path}/m"))
    assert isinstance(local, LocalStorage) and local.root == tmp_path / "m"
    s3 = open_storage(Settings(data_dir=tmp_path, storage_url="s3://media/prefix?endpoint=http://127.0.0.1:9"))
    assert isinstance(s3, S3Storage) and s3.bucket == "media" and s3.prefix == "prefix"
    for bad in ("s3://?endpoint=http://x", "ftp://host/dir", "bucket"):
        with pytest.raises(InputError):
            open_storage(Settings(data_dir=tmp_path, storage_url=bad))


def _roundtrip(storage: Storage, tmp_path: Path, prefix: str) -> None:
    src = tmp_path / "src.mp4"
    src.write_bytes(BODY)
    key = f"{prefix}/output.mp4"
    assert not storage.exists(key) and storage.get_bytes(key) is None and storage.open(key) is None
    storage.put_file(key, src)
    storage.put_bytes(f"{prefix}/preview.json", b'{"a": 1}')
    assert storage.exists(key)
    assert storage.get_bytes(key) == BODY
    assert storage.get_bytes(f"{prefix}/preview.json") == b'{"a": 1}'

    whole = storage.open(key)
    assert whole is not None and (whole.size, whole.start, whole.end) == (len(BODY), 0, len(BODY) - 1)
    assert whole.content_type == "video/mp4" and b"".join(whole.chunks) == BODY
    part = storage.open(key, (1000, 1999))
    assert part is not None and (part.start, part.end, part.size) == (1000, 1999, len(BODY))
    assert b"".join(part.chunks) == BODY[1000:2000]
    tail = storage.open(key, (len(BODY) - 7, None))
    assert tail is not None and b"".join(tail.chunks) == b"the end"
    with pytest.raises(ValueError):
        storage.open(key, (len(BODY) + 10, None))

    storage.delete_prefix(prefix)
    assert not storage.exists(key) and not storage.exists(f"{prefix}/preview.json")


def test_local_storage_roundtrip(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    _roundtrip(storage, tmp_path, "job1")
    storage.put_bytes("job2/a.txt", b"x")
    assert not list((tmp_path / "media").rglob("*.tmp"))  # writes are renamed into place


@pytest.fixture
def s3_settings(tmp_path: Path) -> Settings:
    url = os.environ.get("LINKREEL_TEST_STORAGE_URL", "")
    if not url:
        pytest.skip("LINKREEL_TEST_STORAGE_URL is not set: run `make services` (make test exports .services.env)")
    settings = make_settings(tmp_path / "data", storage_url=url, s3_access_key="linkreel", s3_secret_key="linkreel")
    try:
        open_storage(settings).exists("probe")
    except StorageError as exc:
        pytest.skip(f"no S3 server answers at {url}: {exc}")
    return settings


def test_s3_storage_roundtrip(s3_settings: Settings, tmp_path: Path) -> None:
    storage = open_storage(s3_settings)
    _roundtrip(storage, tmp_path, f"test-{uuid.uuid4().hex[:10]}")


def test_s3_unreachable_is_a_storage_error(tmp_path: Path) -> None:
    storage = S3Storage("media", endpoint="http://127.0.0.1:9", access_key="k", secret_key="s", timeout_s=1)
    with pytest.raises(StorageError, match="storage: lookup failed"):
        storage.exists("a/b.mp4")


# --------------------------------------------------------------------------- /media over HTTP


def _serve_checks(client: TestClient, storage: Storage, tmp_path: Path) -> None:
    job = uuid.uuid4().hex
    src = tmp_path / "v.mp4"
    src.write_bytes(BODY)
    storage.put_file(f"{job}/output.mp4", src)

    r = client.get(f"/media/{job}/output.mp4")
    assert r.status_code == 200 and r.content == BODY
    assert r.headers["content-type"] == "video/mp4" and r.headers["accept-ranges"] == "bytes"
    r = client.get(f"/media/{job}/output.mp4", headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == BODY[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(BODY)}"
    r = client.get(f"/media/{job}/output.mp4", headers={"Range": f"bytes={len(BODY) + 5}-"})
    assert r.status_code == 416
    r = client.head(f"/media/{job}/output.mp4")
    assert r.status_code == 200 and r.headers["content-length"] == str(len(BODY)) and r.content == b""
    for path in (f"/media/{job}/missing.mp4", "/media/..%2Flinkreel.db", "/media/%2e%2e/linkreel.db",
                 "/media/../linkreel.db", f"/media/{job}/..%2F..%2Flinkreel.db"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"detail": "Not found."}


def test_media_served_from_local_storage(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        (settings.data_dir / "linkreel.db").exists()  # the database file sits beside media: never served
        _serve_checks(client, app.state.storage, tmp_path)


def test_media_served_from_s3(s3_settings: Settings, tmp_path: Path) -> None:
    app = create_app(s3_settings)
    with TestClient(app) as client:
        _serve_checks(client, app.state.storage, tmp_path)


def test_media_presigned_redirect(s3_settings: Settings, tmp_path: Path) -> None:
    import httpx

    app = create_app(s3_settings.model_copy(update={"storage_presign": True}))
    job = uuid.uuid4().hex
    app.state.storage.put_bytes(f"{job}/thumb.jpg", b"\xff\xd8jpeg")
    with TestClient(app) as client:
        r = client.get(f"/media/{job}/thumb.jpg", follow_redirects=False)
    assert r.status_code == 307 and "X-Amz-Signature=" in r.headers["location"]
    assert httpx.get(r.headers["location"], timeout=20).content == b"\xff\xd8jpeg"


# --------------------------------------------------------------------------- health and metrics


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok", "storage": "ok"}}


def test_readyz_names_the_part_that_is_down(settings: Settings) -> None:
    down = settings.model_copy(update={"storage_url": "s3://media?endpoint=http://127.0.0.1:9",
                                       "s3_access_key": "k", "s3_secret_key": "s"})
    with TestClient(create_app(down)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert "StorageError" in body["checks"]["storage"]


def test_metrics_count_jobs_and_queues(api: object) -> None:
    from linkreel.api.auth import create_workspace
    from linkreel.jobs.models import Link, VideoJob, new_id

    app = api.app  # type: ignore[attr-defined]
    with app.state.db.session(write=True) as s:
        workspace, *_ = create_workspace(s, "metrics", 10)
        s.flush()
        link = Link(id=new_id(), workspace_id=workspace.id, url="https://shop.test/p", title="P")
        s.add(link)
        s.flush()
        stages = [{"name": "voice", "status": "done", "progress": 1.0, "seconds": 2.5},
                  {"name": "render", "status": "done", "progress": 1.0, "seconds": 10.0}]
        for status in ("done", "done", "failed", "running"):
            s.add(VideoJob(id=new_id(), workspace_id=workspace.id, link_id=link.id, status=status,
                           stages=stages, params={}, kind="create"))
    text = api.client.get("/metrics").text  # type: ignore[attr-defined]
    lines = set(text.splitlines())
    assert 'linkreel_jobs{status="done"} 2.0' in lines
    assert 'linkreel_jobs{status="failed"} 1.0' in lines
    assert 'linkreel_jobs{status="pending"} 0.0' in lines
    assert 'linkreel_stage_seconds_count{stage="render"} 3.0' in lines  # done + failed jobs, not running
    assert 'linkreel_stage_seconds_sum{stage="voice"} 7.5' in lines
    assert 'linkreel_queue_depth{queue="linkreel"} 0.0' in lines


# --------------------------------------------------------------------------- outages


class Switch:
    """A loopback TCP forwarder to the S3 server that can be switched off (connections refused)."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.up = target_port, False
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if not self.up:
                client.close()  # what a client sees of a server that is down: the connection drops
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self.sock.close()


def test_uploads_wait_out_a_storage_outage(s3_settings: Settings, tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(s3_settings.storage_url)
    endpoint = parse_qs(parts.query)["endpoint"][0]
    switch = Switch(int(endpoint.rsplit(":", 1)[1]))
    try:
        storage = S3Storage(parts.netloc, endpoint=f"http://127.0.0.1:{switch.port}", access_key="linkreel",
                            secret_key="linkreel", timeout_s=2)
        src = tmp_path / "out.mp4"
        src.write_bytes(BODY)
        key = f"outage-{uuid.uuid4().hex[:8]}/output.mp4"
        with pytest.raises(StorageError):  # down, and no patience: the error is plain
            patiently(lambda: storage.put_file(key, src), 0.5)

        result: dict[str, object] = {}

        def upload() -> None:
            try:
                patiently(lambda: storage.put_file(key, src), 60, "upload")
                result["ok"] = True
            except Exception as exc:  # noqa: BLE001 (reported below)
                result["error"] = exc

        worker = threading.Thread(target=upload)
        with caplog.at_level(logging.WARNING, logger="linkreel.storage"):
            worker.start()
            wait_for(lambda: any("retrying" in r.getMessage() for r in caplog.records), 30, "a retry")
            switch.up = True  # the server comes back
            worker.join(timeout=60)
        assert result == {"ok": True}
        assert storage.get_bytes(key) == BODY
        storage.delete_prefix(key.split("/")[0])
    finally:
        switch.close()

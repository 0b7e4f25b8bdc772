"""The scale-out servers of `make services`, reached the way linkreel reaches them.

* Redis: `LINKREEL_QUEUE_URL=redis://…` makes the queues RedisHuey, and ids enqueued with the
  project's own `enqueue`/`enqueue_webhook` reach consumer threads started by `start_consumers`.
* SeaweedFS: its S3 gateway creates buckets, stores and returns objects, and serves presigned GETs.

PostgreSQL is covered by tests/test_credits_db.py::test_migrations_on_postgresql.
Each test skips, saying why, when its LINKREEL_TEST_* variable is unset or its server does not answer.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from linkreel.config import Settings
from linkreel.jobs.db import Database
from linkreel.jobs.queue import enqueue, enqueue_webhook, get_huey, get_queues, start_consumers

HOW = "run `make services` and export .services.env (`make test` does)"


def _server_url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        pytest.skip(f"{name} is not set: {HOW}")
    return url


# --------------------------------------------------------------------------- Redis


@pytest.fixture
def redis_url() -> str:
    url = _server_url("LINKREEL_TEST_QUEUE_URL")
    try:
        import redis
    except ImportError as exc:
        pytest.skip(f"the redis client is not installed ({exc}): pip install -e '.[dev]'")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {url} ({exc}): {HOW}")
    finally:
        client.close()
    return url


class Calls:
    """What the patched task bodies were called with, and an event per expected id."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[Any, ...]] = {}
        self.events: dict[str, threading.Event] = {}

    def expect(self, key: str) -> threading.Event:
        return self.events.setdefault(key, threading.Event())

    def record(self, key: str, *args: Any) -> None:
        self.seen[key] = args
        self.expect(key).set()


def test_redis_queue_carries_ids_to_consumers(redis_url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from huey import RedisHuey

    monkeypatch.setenv("LINKREEL_QUEUE_URL", redis_url)  # the switch a deployment uses
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.queue_url == redis_url
    huey = get_huey(settings)
    light = get_queues(settings).light
    assert isinstance(huey, RedisHuey) and isinstance(light, RedisHuey)
    assert (huey.name, light.name) == ("linkreel", "linkreel-light")
    huey.flush()  # the test database of the test server: drop what an interrupted run left
    light.flush()

    # The task bodies are the real ones up to the work itself: they import these at call time.
    calls = Calls()
    monkeypatch.setattr("linkreel.jobs.runner.run_job",
                        lambda s, db, job_id, action: calls.record(job_id, s, db, action))
    monkeypatch.setattr("linkreel.jobs.webhooks.deliver",
                        lambda s, db, delivery_id: calls.record(delivery_id, s, db))

    job_id, delivery_id = f"job-{uuid.uuid4().hex}", f"hook-{uuid.uuid4().hex}"
    enqueue(settings, job_id, "render")
    enqueue_webhook(settings, delivery_id)
    assert (huey.pending_count(), light.pending_count()) == (1, 1)  # waiting in Redis, no consumer yet

    db = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    consumers = start_consumers(settings, 2, db)
    try:
        assert calls.expect(job_id).wait(20), "the render consumer did not run the job"
        assert calls.expect(delivery_id).wait(20), "the webhook consumer did not run the delivery"
    finally:
        consumers.stop(graceful=True)
        db.dispose()
    ran_settings, ran_db, action = calls.seen[job_id]
    assert (ran_settings, ran_db, action) == (settings, db, "render")
    assert calls.seen[delivery_id] == (settings, db)
    assert (huey.pending_count(), light.pending_count()) == (0, 0)


# --------------------------------------------------------------------------- SeaweedFS (S3)


def _parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket?endpoint=http://host:port` → (bucket, endpoint)."""
    parts = urlsplit(url)
    endpoint = parse_qs(parts.query).get("endpoint", [""])[0]
    if parts.scheme != "s3" or not parts.netloc or not endpoint:
        raise ValueError(f"not an s3://bucket?endpoint=… URL: {url!r}")
    return parts.netloc, endpoint


def test_parse_s3_url() -> None:
    assert _parse_s3_url("s3://media?endpoint=http://127.0.0.1:58333") == ("media", "http://127.0.0.1:58333")
    with pytest.raises(ValueError):
        _parse_s3_url("s3://media")


@pytest.fixture
def s3() -> Iterator[tuple[Any, str]]:
    """A boto3 S3 client on the test server, and the bucket `make services` created for tests."""
    url = _server_url("LINKREEL_TEST_STORAGE_URL")
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:
        pytest.skip(f"boto3 is not installed ({exc}): pip install -e '.[dev]'")
    bucket, endpoint = _parse_s3_url(url)
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="linkreel", aws_secret_access_key="linkreel",  # SeaweedFS without identities
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", connect_timeout=3, read_timeout=30,
                      retries={"max_attempts": 2}),
    )
    try:
        client.list_buckets()
    except (BotoCoreError, ClientError) as exc:
        pytest.skip(f"no S3 server answers at {endpoint} ({exc}): {HOW}")
    yield client, bucket
    client.close()


def test_s3_bucket_objects_and_presigned_urls(s3: tuple[Any, str]) -> None:
    from botocore.exceptions import ClientError

    client, test_bucket = s3
    client.head_bucket(Bucket=test_bucket)  # made by `make services` (SeaweedFS lists no buckets anonymously)

    bucket = f"linkreel-smoke-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    key = "jobs/abc/final.mp4"
    body = os.urandom(256 * 1024) + b"end"
    try:
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="video/mp4")
        got = client.get_object(Bucket=bucket, Key=key)
        assert got["Body"].read() == body and got["ContentType"] == "video/mp4"
        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ContentLength"] == len(body)
        listed = client.list_objects_v2(Bucket=bucket, Prefix="jobs/")
        assert [o["Key"] for o in listed.get("Contents", [])] == [key]

        # A presigned GET is a plain URL: any HTTP client fetches it, no credentials.
        url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
        assert "X-Amz-Signature=" in url
        r = httpx.get(url, timeout=30)
        assert r.status_code == 200 and r.content == body
        assert r.headers["content-type"] == "video/mp4"
        ranged = httpx.get(url, headers={"Range": "bytes=0-9"}, timeout=30)  # browsers seek in videos
        assert ranged.status_code == 206 and ranged.content == body[:10]

        missing = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "nope.mp4"},
                                                ExpiresIn=300)
        assert httpx.get(missing, timeout=30).status_code == 404
    finally:
        for obj in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as gone:
        client.head_bucket(Bucket=bucket)
    assert gone.value.response["Error"]["Code"] in ("404", "NoSuchBucket")

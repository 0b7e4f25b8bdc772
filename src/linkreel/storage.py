"""Where finished media lives: a local directory (default) or an S3-compatible bucket.

`LINKREEL_STORAGE_URL` picks the backend:

    (empty)                                  <data_dir>/media on this machine
    file:///srv/linkreel/media               another local directory
    s3://bucket?endpoint=http://host:8333    any S3 API (AWS, SeaweedFS, MinIO); keys from
                                             LINKREEL_S3_ACCESS_KEY / LINKREEL_S3_SECRET_KEY
                                             (or boto3's usual environment)

Workers write results here; the API serves them at `/media/<key>` (proxied, with Range support)
or redirects to a presigned URL (`LINKREEL_STORAGE_PRESIGN=true`). So a worker needs no disk
shared with the API. Keys are `<media_job>/<name>`-style paths; every key is checked before use.
Keys under `stages/` are jobs' work in progress (voice, music, photos), kept for other workers only.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import shutil
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from linkreel.errors import InputError, LinkreelError

if TYPE_CHECKING:
    from linkreel.config import Settings

T = TypeVar("T")
log = logging.getLogger("linkreel.storage")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
CHUNK = 256 * 1024
STAGES_PREFIX = "stages"  # jobs' intermediate files (stages.StorageMirror): private, never served at /media


class StorageError(LinkreelError):
    """The storage backend could not be reached or refused the operation."""


def check_key(key: str) -> str:
    """Keys are relative paths of plain names: no `..`, no leading `/`, no empty parts."""
    if not _KEY.match(key) or ".." in key.split("/") or len(key) > 512:
        raise InputError(f"invalid media key {key!r}")
    return key


def content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


@dataclass(frozen=True)
class Blob:
    """A stored object, or the requested byte range of it, ready to stream."""

    size: int  # the whole object's size
    start: int  # first byte of `chunks`
    end: int  # last byte of `chunks` (inclusive)
    content_type: str
    chunks: Generator[bytes, None, None]


class Storage(Protocol):
    def put_file(self, key: str, path: Path) -> None: ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def get_bytes(self, key: str) -> bytes | None: ...

    def exists(self, key: str) -> bool: ...

    def open(self, key: str, byte_range: tuple[int, int | None] | None = None) -> Blob | None: ...

    def presigned_url(self, key: str, expires_s: int = 3600) -> str | None: ...

    def delete_prefix(self, prefix: str) -> None: ...


class LocalStorage:
    """A directory; writes go to a temp name and are renamed so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, path: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str, byte_range: tuple[int, int | None] | None = None) -> Blob | None:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        size = path.stat().st_size
        try:
            start, end = _clamp(byte_range, size)
        except ValueError:
            handle.close()
            raise
        return Blob(size, start, end, content_type(key), _read_file(handle, start, end))

    def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        return None  # served by the API itself

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)


def _read_file(handle: Any, start: int, end: int) -> Generator[bytes, None, None]:
    with handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _clamp(byte_range: tuple[int, int | None] | None, size: int) -> tuple[int, int]:
    if byte_range is None or size == 0:
        return 0, size - 1
    start, end = byte_range
    if start >= size:
        raise ValueError(f"range starts at {start}, past the end ({size} bytes)")
    return start, min(size - 1, size - 1 if end is None else end)


class S3Storage:
    """Any S3 API through boto3. Errors become StorageError with the backend's one-line reason."""

    def __init__(self, bucket: str, prefix: str = "", endpoint: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, timeout_s: float = 20.0) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client(
            "s3", endpoint_url=endpoint, region_name=region or "us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=Config(connect_timeout=timeout_s, read_timeout=timeout_s, s3={"addressing_style": "path"},
                          signature_version="s3v4",
                          retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("InvalidRange", "416"):
                raise ValueError(f"range not satisfiable for {kwargs.get('Key', '')}") from exc
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(kwargs.get("Key", "")) from exc
            raise StorageError(f"storage: {what} failed: {code or exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"storage: {what} failed: {exc}") from exc

    def put_file(self, key: str, path: Path) -> None:
        with path.open("rb") as body:
            self._call("upload", self.client.put_object, Key=self._key(key), Body=body, ContentType=content_type(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        self._call("upload", self.client.put_object, Key=self._key(key), Body=data, ContentType=content_type(key))

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self._call("download", self.client.get_object, Key=self._key(key))["Body"].read()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        try:
            self._call("lookup", self.client.head_object, Key=self._key(key))
            return True
        except FileNotFoundError:
            return False

    def open(self, key: str, byte_range: tuple[int, int | None] | None = None) -> Blob | None:
        kwargs: dict[str, Any] = {"Key": self._key(key)}
        if byte_range is not None:
            start, end = byte_range
            kwargs["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            obj = self._call("download", self.client.get_object, **kwargs)
        except FileNotFoundError:
            return None
        length = int(obj["ContentLength"])
        content_range = obj.get("ContentRange")  # "bytes 0-99/1234" when a range was asked
        if content_range:
            span, total = content_range.split(" ", 1)[1].split("/")
            start, end = (int(v) for v in span.split("-"))
            size = int(total)
        else:
            size, start, end = length, 0, length - 1
        return Blob(size, start, end, obj.get("ContentType") or content_type(key),
                    obj["Body"].iter_chunks(CHUNK))

    def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        return self.client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": self._key(key)},
                                                  ExpiresIn=expires_s)

    def delete_prefix(self, prefix: str) -> None:
        full = self._key(prefix) + "/"
        listed = self._call("list", self.client.list_objects_v2, Prefix=full)
        keys = [{"Key": o["Key"]} for o in listed.get("Contents", [])]
        if keys:
            self._call("delete", self.client.delete_objects, Delete={"Objects": keys})


def patiently(fn: Callable[[], T], patience_s: float, what: str = "storage") -> T:
    """Call `fn`, retrying StorageError with backoff (1 s, 2 s, 4 s … 15 s) for up to `patience_s`:
    a worker waits out a storage outage instead of failing a finished render."""
    deadline = time.monotonic() + patience_s
    delay = 1.0
    while True:
        try:
            return fn()
        except StorageError as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("%s unavailable (%s); retrying in %.0f s", what, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 15.0)


def open_storage(settings: Settings) -> Storage:
    """The backend `LINKREEL_STORAGE_URL` names (see the module docstring)."""
    url = settings.storage_url.strip()
    if not url:
        return LocalStorage(settings.media_path)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise InputError(f"LINKREEL_STORAGE_URL {url!r} names no bucket (s3://bucket?endpoint=...)")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return S3Storage(parts.netloc, prefix=parts.path, endpoint=query.get("endpoint"), region=query.get("region"),
                         access_key=settings.s3_access_key or None, secret_key=settings.s3_secret_key or None)
    raise InputError(f"LINKREEL_STORAGE_URL {url!r}: use file:///path or s3://bucket?endpoint=...")

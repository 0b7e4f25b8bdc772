"""The web app without a browser: sessions, CSRF, framing, and pages over the API's own functions."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from contextlib import nullcontext
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace, workspace_by_api_id
from linkreel.api.errors import ApiError
from linkreel.avatars import custom
from linkreel.avatars.custom import new_media_prefix
from linkreel.avatars.personas import get_persona, personas
from linkreel.avatars.stage import photo_key
from linkreel.jobs.models import CustomPersona, Link, VideoJob
from linkreel.jobs.runner import JobProgress, custom_avatar, initial_stages, run_job
from linkreel.media.templates import get_style as get_template
from linkreel.media.timeline import Timeline, VideoClip
from linkreel.pipeline import AdRequest
from linkreel.stages import input_key
from linkreel.web import events
from linkreel.web.actions import script_from_lines
from tests.api_support import make_settings
from tests.helpers import EXAMPLES, frame_at, serve_dir
from tests.web_support import CAPTION_BLUE, blue_caption_rows, image_distances, shop_with_a_video


@pytest.fixture
def web(tmp_path: Path) -> tuple[TestClient, str, str]:
    app = create_app(make_settings(tmp_path / "data"))
    with app.state.db.session() as s:
        _, api_id, api_key, _ = create_workspace(s, "web", 50)
    return TestClient(app), api_id, api_key


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def _sign_in(client: TestClient, api_id: str, api_key: str) -> str:
    token = _token(client.get("/signin/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs/"
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/jobs/").text).group(1)


def test_signin_sets_a_signed_httponly_lax_cookie(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    token = _token(client.get("/signin/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": token},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("lr_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert api_key not in cookie and api_key not in r.headers["location"]
    assert client.get("/web/api/jobs/").json() == {"jobs": [], "remaining_credits": 50.0}


def test_signin_errors_keep_the_id_and_say_why(web: tuple[TestClient, str, str]) -> None:
    client, api_id, _ = web
    token = _token(client.get("/signin/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": "nope", "csrf_token": token})
    assert r.status_code == 401 and "do not match" in r.text and f'value="{api_id}"' in r.text
    r = client.post("/signin/", data={"api_id": "", "api_key": "", "csrf_token": token})
    assert r.status_code == 400 and "Enter your API id." in r.text and "Enter your API key." in r.text
    assert "lr_session" not in client.cookies


def test_signin_without_its_csrf_token_is_refused(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    client.get("/signin/")
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403 and "lr_session" not in client.cookies


def test_writes_need_the_sessions_csrf_token(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    csrf = _sign_in(client, api_id, api_key)
    assert client.post("/web/api/links/", json={"url": "x"}).status_code == 403
    assert client.post("/web/api/links/", json={"url": "x"}, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    r = client.post("/web/api/links/", json={"url": "not a url"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "url" in r.json()  # the API's own validation, field-shaped
    assert client.post("/signout/", data={"csrf_token": "bad"}).status_code == 403
    assert client.get("/web/api/jobs/").status_code == 200  # still signed in


def test_tampered_or_missing_session_is_refused(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    _sign_in(client, api_id, api_key)
    value = client.cookies["lr_session"]
    client.cookies.clear()
    client.cookies.set("lr_session", value[:-4] + ("0000" if not value.endswith("0000") else "1111"))
    assert client.get("/web/api/jobs/").status_code == 401
    r = client.get("/new/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin/?next=/new/"
    r = client.get("/editor/abc/?preview=def", follow_redirects=False)  # the API's editor_url keeps its query
    assert r.headers["location"] == "/signin/?next=/editor/abc/%3Fpreview%3Ddef"


def test_signout_ends_the_session(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    csrf = _sign_in(client, api_id, api_key)
    r = client.post("/signout/", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin/"
    assert client.get("/web/api/jobs/").status_code == 401


def test_app_pages_refuse_framing_and_preview_allows_it(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    _sign_in(client, api_id, api_key)
    for path in ("/signin/", "/jobs/", "/new/"):
        r = client.get(path)
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    new = client.get("/new/").text
    assert "/web/static/app.js" in new and "FullScreenTemplate" in new  # the catalog is embedded for the script
    assert client.get("/web/static/app.css").status_code == 200


def test_next_only_goes_to_our_own_paths(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    token = _token(client.get("/signin/?next=//evil.example/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": token,
                                      "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/jobs/"


def test_scene_lines_become_one_sentence_each() -> None:
    assert script_from_lines(["Hook here", "  Buy now! ", ""]) == "Hook here. Buy now!"
    with pytest.raises(ApiError):
        script_from_lines(["", "  "])
    with pytest.raises(ApiError):
        script_from_lines([3])


def test_jobs_page_shows_the_credit_history(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    _sign_in(client, api_id, api_key)
    page = client.get("/jobs/").text
    assert "Credit history" in page and "Credits added" in page and '<td class="num">50</td>' in page
    assert '<span id="balance">50</span>' in page


def _add_render_job(app: FastAPI, api_id: str) -> str:
    """A queued render job, as the API's create would leave it (without queueing real work)."""
    with app.state.db.session(write=True) as s:
        workspace = workspace_by_api_id(s, api_id)
        link = Link(workspace_id=workspace.id, url="https://shop.example/p/1", title="Bottle", image_urls=[])
        s.add(link)
        s.flush()
        job = VideoJob(workspace_id=workspace.id, link_id=link.id, kind="create", status="in_queue", progress=0.0,
                       params={"link": link.id, "video_length": 15, "aspect_ratio": "9x16"},
                       stages=initial_stages(), outputs=[], previews=[], attempts=0, work={})
        s.add(job)
        s.flush()
        return job.id


def _worker_steps(app: FastAPI, job_id: str) -> list[Callable[[], None]]:
    """What a worker writes while it renders: stage progress through the runner's own JobProgress, then done."""
    db = app.state.db
    progress = JobProgress(db, job_id, None, mirror=True)

    def claim() -> None:
        with db.session(write=True) as s:
            s.get(VideoJob, job_id).status = "running"
        progress.set("scrape", "running", 0.0)

    def finish() -> None:
        with db.session(write=True) as s:
            job = s.get(VideoJob, job_id)
            job.status, job.progress, job.video_output = "done", 1.0, "https://linkreel.test/media/x/output.mp4"

    return [claim, lambda: progress.set("scrape", "done", 1.0), lambda: progress.set("render", "running", 0.5),
            lambda: None, finish]  # lambda: None: a poll that finds nothing new sends nothing


def _parse_events(body: str) -> list[tuple[str, Any]]:
    out = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_event_stream_follows_a_job_to_done(web: tuple[TestClient, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    client, api_id, api_key = web
    assert client.get("/web/api/events/").status_code == 401  # the session cookie is the only way in
    _sign_in(client, api_id, api_key)
    job_id = _add_render_job(client.app, api_id)
    steps = iter(_worker_steps(client.app, job_id))

    async def worker_step(_seconds: float) -> None:  # each poll interval, the "worker" moves the job on
        next(steps)()

    monkeypatch.setattr(events, "pause", worker_step)
    with client.stream("GET", f"/web/api/events/?job={job_id}") as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        received = _parse_events(r.read().decode())
    names = [name for name, _ in received]
    assert names == ["jobs", "job", "job", "job", "job", "end"]
    assert received[0][1]["jobs"][0]["status"] == "in_queue" and received[0][1]["remaining_credits"] == 50.0
    jobs = [data for name, data in received if name == "job"]
    assert [j["status"] for j in jobs] == ["running", "running", "running", "done"]
    progress = [float(j["progress"]) for j in jobs]
    assert progress == sorted(progress) and 0 < progress[2] < 1 and progress[-1] == 1
    render = [next(s for s in j["stages"] if s["name"] == "render") for j in jobs]
    assert render[2] == {"name": "render", "status": "running", "progress": 0.5}
    assert jobs[-1]["video_output"].endswith("output.mp4")
    assert received[-1] == ("end", {"id": job_id, "status": "done"})


def test_event_stream_shows_only_the_workspaces_own_jobs(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    with client.app.state.db.session() as s:
        _, other_id, _, _ = create_workspace(s, "other", 5)
    theirs = _add_render_job(client.app, other_id)
    _sign_in(client, api_id, api_key)
    with client.stream("GET", f"/web/api/events/?job={theirs}") as r:
        received = _parse_events(r.read().decode())
    assert received == [("jobs", {"jobs": [], "remaining_credits": 50.0}), ("end", {"id": theirs, "status": None})]


def test_signout_revokes_the_cookie_server_side(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    csrf = _sign_in(client, api_id, api_key)
    copied = client.cookies["lr_session"]
    other = TestClient(client.app)
    other.cookies.set("lr_session", copied)
    assert other.get("/web/api/jobs/").status_code == 200  # a copy works while the session lives
    client.post("/signout/", data={"csrf_token": csrf})
    assert other.get("/web/api/jobs/").status_code == 401  # the same valid-looking cookie, revoked
    assert other.get("/jobs/", follow_redirects=False).headers["location"] == "/signin/?next=/jobs/"
    _sign_in(client, api_id, api_key)  # signing in again makes a new session; the old one stays dead
    assert client.get("/web/api/jobs/").status_code == 200 and other.get("/web/api/jobs/").status_code == 401


def _preview_json(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    raw = client.app.state.storage.get_bytes(f"{job['media_job']}/preview.json")
    assert raw is not None, job.get("failed_reason")
    return json.loads(raw)


def _first_preview(web: tuple[TestClient, str, str], style: str = "FullScreenTemplate", shop: str | None = None,
                   ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """Signed in, the sample shop's link made, and a 15 s 9:16 preview of it in `style`: (CSRF header, link,
    preview job). `shop`: another shop's base URL, served by the caller (the preview fetches page videos)."""
    client, api_id, api_key = web
    csrf = {"X-CSRF-Token": _sign_in(client, api_id, api_key)}
    with nullcontext(shop) if shop else serve_dir(EXAMPLES) as base:
        link = client.post("/web/api/links/", json={"url": f"{base}/aerobottle/index.html"}, headers=csrf).json()
        first = client.post("/web/api/videos/preview/", headers=csrf, json={
            "link": link["id"], "video_length": 15, "aspect_ratio": "9x16", "visual_style": style}).json()
    return csrf, link, first


def test_edited_scenes_become_a_new_version_and_rerun_repeats_it(web: tuple[TestClient, str, str]) -> None:
    client = web[0]
    csrf, link, first = _first_preview(web)
    scenes = _preview_json(client, first)["scenes"]
    assert len(scenes) >= 3
    # The last scene moves to the front, the second is deleted, the first gets its own on-screen text.
    edited = [scenes[-1], {**scenes[0], "on_screen": "Never leaks"}, *scenes[2:-1]]
    r = client.post(f"/web/api/videos/{first['id']}/repreview/", headers=csrf,
                    json={"scenes": edited, "media_job": first["media_job"]})
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["status"] == "pending" and second["override_script"].startswith(scenes[-1]["text"])
    got = _preview_json(client, second)["scenes"]
    assert [(s["role"], s["text"], s["on_screen"]) for s in got] == [
        (s["role"], s["text"], s["on_screen"]) for s in edited]

    page = client.get(f"/editor/{second['id']}/").text
    assert "Version 2 of 2" in page and f'id="undo-version" href="/editor/{first["id"]}/"' in page
    assert "Never leaks" in page
    older = client.get(f"/editor/{first['id']}/").text  # after an undo, the way forward is offered
    assert "Version 1 of 2" in older and f'id="redo-version" href="/editor/{second["id"]}/"' in older

    bad = client.post(f"/web/api/videos/{first['id']}/repreview/", headers=csrf,
                      json={"scenes": [{"role": "hook", "text": "  ", "on_screen": ""}]})
    assert bad.status_code == 400 and "Scene 1 has no spoken line" in bad.json()["scenes"][0]

    before = client.get("/web/api/jobs/").json()["remaining_credits"]
    assert client.post(f"/web/api/videos/{second['id']}/rerun/").status_code == 403  # CSRF, like every write
    again = client.post(f"/web/api/videos/{second['id']}/rerun/", headers=csrf).json()
    assert again["id"] not in (first["id"], second["id"]) and again["override_script"] == second["override_script"]
    assert [s["text"] for s in _preview_json(client, again)["scenes"]] == [s["text"] for s in edited]
    assert client.get("/web/api/jobs/").json()["remaining_credits"] == before - again["credits_used"]


def test_rerun_of_a_render_asks_for_the_same_outputs(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    csrf = {"X-CSRF-Token": _sign_in(client, api_id, api_key)}
    job_id = _add_render_job(client.app, api_id)
    with client.app.state.db.session(write=True) as s:
        job = s.get(VideoJob, job_id)
        job.params = {**job.params, "visual_style": "FullScreenTemplate", "name": "Spring"}
        job.outputs = [{"media_job": "a", "aspect_ratio": "9x16"}, {"media_job": "b", "aspect_ratio": "1x1"}]
    again = client.post(f"/web/api/videos/{job_id}/rerun/", headers=csrf).json()
    assert again["id"] != job_id and again["status"] == "in_queue" and again["name"] == "Spring"
    assert [(o["visual_style"], o["aspect_ratio"]) for o in again["outputs"]] == [
        ("FullScreenTemplate", "9x16"), ("FullScreenTemplate", "1x1")]
    assert client.get("/web/api/jobs/").json()["remaining_credits"] == 50 - again["credits_used"] > 0


def test_new_ad_page_has_the_persona_grid_data_and_caption_samples(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    assert client.get("/web/caption-samples/neo.jpg", follow_redirects=False).status_code == 303  # signed in only
    _sign_in(client, api_id, api_key)
    page = client.get("/new/").text
    data = json.loads(page.split('<script type="application/json" id="page-data">')[1].split("</script>")[0])
    assert data["personas"] and {"id", "creator_name", "gender", "age_range", "image"} <= set(data["personas"][0])
    assert set(data["persona_filters"]) == {"age_range", "gender", "location", "style"}
    assert data["style_captions"]["DramaticTemplate"] == "mystique"
    r = client.get("/web/caption-samples/neo.jpg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    with Image.open(BytesIO(r.content)) as still:
        assert still.size == (360, 240)
        # Caption text is drawn: the band is not one flat colour.
        assert len(still.convert("RGB").getcolors(maxcolors=100_000) or []) > 50
    assert client.get("/web/caption-samples/nope.jpg").status_code == 404


def _page_data(html: str) -> dict[str, Any]:
    return json.loads(html.split('<script type="application/json" id="page-data">')[1].split("</script>")[0])


def test_editor_picks_images_voice_music_captions_and_their_position(web: tuple[TestClient, str, str],
                                                                     tmp_path: Path) -> None:
    """A re-preview with a scene's image, another voice, music and volumes, a caption style and a caption
    offset: the job asks for them, and the rendered preview shows the picked photo and lower captions."""
    client = web[0]
    csrf, link, first = _first_preview(web)
    data = _page_data(client.get(f"/editor/{first['id']}/").text)
    images, look = data["images"], data["look"]
    assert len(images) >= 3 and look["aspect"] == "9x16" and len(look["caption_styles"]) == 18
    assert data["clips"] == []  # the sample page has no video: the pickers offer its photos only
    assert not data["avatar"]["slot"]  # FullScreenTemplate shows no presenter
    photos = []
    for i, url in enumerate(images):  # the thumbnails are the link's own stored images
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        photos.append(tmp_path / f"photo-{i}.jpg")
        photos[-1].write_bytes(r.content)
    scenes = data["scenes"]
    picked = ((scenes[0]["image"] or 0) + 2) % len(images)  # another photo than the one the writer chose
    voice = look["voices"][-1]["id"]
    assert voice != first["override_voice"]
    edited = [{**scenes[0], "image": picked}, *scenes[1:]]
    body = {"scenes": edited, "media_job": first["media_job"], "override_voice": voice,
            "background_music_url": look["musics"][0]["url"], "no_background_music": False,
            "background_music_volume": 0.1, "voiceover_volume": 0.8, "caption_style": CAPTION_BLUE,
            "caption_setting": {"offset": {"x": 0, "y": 0.4}}}

    url = f"/web/api/videos/{first['id']}/repreview/"
    wrong_image = client.post(url, headers=csrf, json={**body, "scenes": [{**scenes[0], "image": len(images)}]})
    assert wrong_image.status_code == 400 and "image" in wrong_image.json()["scenes"][0]
    off_frame = client.post(url, headers=csrf, json={**body, "caption_setting": {"offset": {"x": 0, "y": 0.9}}})
    assert off_frame.status_code == 400 and off_frame.json()["caption_setting"]["offset"]["y"]
    assert client.post(url, headers=csrf, json={**body, "override_voice": "nope"}).json()["override_voice"]

    r = client.post(url, headers=csrf, json=body)
    assert r.status_code == 200, r.text
    second = r.json()
    assert {k: second[k] for k in ("override_voice", "background_music_volume", "voiceover_volume", "caption_style",
                                   "caption_setting")} == {k: body[k] for k in (
        "override_voice", "background_music_volume", "voiceover_volume", "caption_style", "caption_setting")}
    assert second["background_music_url"] == body["background_music_url"]
    again = _page_data(client.get(f"/editor/{second['id']}/").text)
    assert again["scenes"][0]["image"] == picked and again["look"]["current"]["override_voice"] == voice

    run_job(client.app.state.settings, client.app.state.db, second["id"], "preview")  # the queued preview video
    mp4 = tmp_path / "preview.mp4"
    mp4.write_bytes(client.get(f"/media/{second['media_job']}/preview.mp4").content)
    got = _preview_json(client, second)["scenes"]
    frame = frame_at(mp4, got[0]["start"] + 0.3 * (got[1]["start"] - got[0]["start"]))
    distances = image_distances(frame, photos)
    nearest = sorted(range(len(photos)), key=distances.__getitem__)
    assert nearest[0] == picked and distances[nearest[1]] > 1.5 * distances[picked], distances
    top, bottom = blue_caption_rows(frame)  # the caption style took too: its box is blue
    assert (top + bottom) / 2 > 0.5 + look["caption_centre"]["y"] + 0.04, (top, bottom, look["caption_centre"])


PRESENTER_STYLE = "SimpleAvatarOverlayTemplate"  # the presenter fills the lower half of the frame


def _add_custom_personas(app: FastAPI, api_id: str) -> tuple[str, str]:
    """Two of the workspace's own personas, as the upload leaves them: one processed, one still pending."""
    with app.state.db.session(write=True) as s:
        workspace = workspace_by_api_id(s, api_id)
        rows = [CustomPersona(workspace_id=workspace.id, creator_name=name, process_status=status,
                              media_prefix=new_media_prefix())
                for name, status in (("Me", "done"), ("Me too", "pending"))]
        s.add_all(rows)
        s.flush()
        return rows[0].id, rows[1].id


def _stage_runs(app: FastAPI, job_id: str) -> dict[str, int]:
    with app.state.db.session() as s:
        return dict(s.get(VideoJob, job_id).work.get("stage_runs") or {})


def _timeline(app: FastAPI, job_id: str) -> Timeline:
    """The timeline the job's storyboard laid out, as its stage cache keeps it."""
    [result] = (app.state.settings.work_path / job_id).glob("timeline-*/result.json")
    return Timeline.model_validate_json(result.read_text("utf-8"))


def _preview_mp4(client: TestClient, job: dict[str, Any], path: Path) -> Path:
    run_job(client.app.state.settings, client.app.state.db, job["id"], "preview")
    path.write_bytes(client.get(f"/media/{job['media_job']}/preview.mp4").content)
    return path


def test_editor_changes_the_presenter_and_redoes_only_it(web: tuple[TestClient, str, str], tmp_path: Path) -> None:
    """The editor's avatar grid lists the library and the workspace's ready personas, the job's choice checked.
    Another persona makes a version whose presenter and video are redone, nothing before them (the voice, the
    captions…), and whose frames differ from the first version's only where the presenter stands. "No
    presenter" leaves it out of the timeline."""
    client, api_id, _ = web
    csrf, link, first = _first_preview(web, style=PRESENTER_STYLE)
    ready, pending = _add_custom_personas(client.app, api_id)
    data = _page_data(client.get(f"/editor/{first['id']}/").text)
    avatar = data["avatar"]
    listed = [p["id"] for p in avatar["personas"]]
    assert avatar["slot"] and avatar["current"] is None and set(avatar["persona_filters"]) >= {"gender", "style"}
    assert listed == [p.id for p in personas()] + [ready]  # the pending persona cannot be used yet
    matched = get_persona(avatar["matched"])
    other = next(p for p in personas() if p.id != matched.id and p.voice_gender == matched.voice_gender)

    url = f"/web/api/videos/{first['id']}/repreview/"
    body = {"scenes": data["scenes"], "media_job": first["media_job"]}
    not_ready = client.post(url, headers=csrf, json={**body, "override_avatar": pending})
    assert not_ready.status_code == 400 and "not ready" in not_ready.json()["override_avatar"][0]
    second = client.post(url, headers=csrf, json={**body, "override_avatar": other.id}).json()
    assert second["override_avatar"] == other.id, second
    assert _page_data(client.get(f"/editor/{second['id']}/").text)["avatar"]["current"] == other.id

    def frame(job: dict[str, Any]) -> np.ndarray:  # scene 2, just after its first word
        mp4 = _preview_mp4(client, job, tmp_path / f"{job['id']}.mp4")
        return frame_at(mp4, _preview_json(client, job)["scenes"][1]["start"] + 0.4).astype(np.float32)

    before = frame(first)
    # The first version's work files go (as after its render): the second version took copies of its own.
    shutil.rmtree(client.app.state.settings.work_path / first["id"])
    after = frame(second)
    # What ran for the second version; scrape, voice, music and captions came from the first one. (The script
    # stage only takes the editor's scenes as they are: no writing.)
    # (The soundtrack is mixed when the video is rendered, after the first version's files went: it is mixed again.)
    runs = _stage_runs(client.app, second["id"])
    assert runs == {"script": 1, "avatar": 1, "timeline": 1, "mix": 1, "render": 1}, runs
    box = get_template(PRESENTER_STYLE).family.avatar["9x16"]
    height, width = before.shape[:2]
    x, y, w, h = box.pixels(width, height)
    change = np.abs(before - after).mean(axis=2)
    inside = change[y:y + h, x:x + w].mean()
    above = change[:max(0, y - 8)].mean()  # the product and the words above the presenter
    assert inside > 12 and above < 3, (inside, above)

    third = client.post(f"/web/api/videos/{second['id']}/repreview/", headers=csrf,
                        json={"scenes": data["scenes"], "media_job": second["media_job"], "override_avatar": "none"})
    third = third.json()
    assert third["override_avatar"] is None and third["override_avatar_by_image"] is None
    assert _page_data(client.get(f"/editor/{third['id']}/").text)["avatar"]["current"] == "none"
    assert _timeline(client.app, third["id"]).avatars == [] and _timeline(client.app, second["id"]).avatars
    assert "avatar" not in _stage_runs(client.app, third["id"])
    again = client.post(f"/web/api/videos/{third['id']}/rerun/", headers=csrf).json()  # a re-run keeps it
    assert _timeline(client.app, again["id"]).avatars == []


def test_a_custom_presenter_keys_its_avatar_stage_alike_in_every_version(web: tuple[TestClient, str, str],
                                                                         tmp_path: Path) -> None:
    """Each version of an ad copies its custom presenter's photo into its own work dir; the copies key the
    avatar stage alike, so a version that keeps the presenter takes it from the one before."""
    client, api_id, _ = web
    settings, db = client.app.state.settings, client.app.state.db
    ready, _ = _add_custom_personas(client.app, api_id)
    with db.session() as s:
        row = s.get(CustomPersona, ready)
        workspace_id, stored = row.workspace_id, custom.photo_key(row)
    photo = (EXAMPLES / "aerobottle" / "img" / "aero-teal.jpg").read_bytes()  # the key does not look at the face
    client.app.state.storage.put_bytes(stored, photo)
    keys = []
    for version in ("first", "second"):
        root = tmp_path / version
        req = custom_avatar(settings, db, workspace_id, AdRequest(source="", avatar=ready), root / "avatar")
        keys.append(input_key({"image": photo_key(req.avatar_image)}, root))
        time.sleep(0.05)  # the second copy is written later
    assert keys[0] == keys[1]


def test_editor_offers_the_pages_clip_and_a_picked_one_plays_in_its_scene(web: tuple[TestClient, str, str],
                                                                          tmp_path: Path) -> None:
    """A product page with a video: the editor offers its clip (a still) beside the photos; the first scene
    given the clip shows it in the re-previewed video (the timeline's first visual is that clip, where the
    first version, like every ad, opened on a photo; its frame is nearest the clip's still)."""
    client = web[0]
    with serve_dir(shop_with_a_video(tmp_path / "shop")) as shop:
        csrf, link, first = _first_preview(web, shop=shop)
        data = _page_data(client.get(f"/editor/{first['id']}/").text)
        assert data["clips"] == [f"/media/{first['media_job']}/clip-0.jpg"], data["clips"]
        still = client.get(data["clips"][0])
        assert still.status_code == 200 and still.headers["content-type"] == "image/jpeg"
        (tmp_path / "still.jpg").write_bytes(still.content)
        scenes = data["scenes"]
        url = f"/web/api/videos/{first['id']}/repreview/"
        body = {"media_job": first["media_job"], "scenes": [{**scenes[0], "image": None, "clip": 0}, *scenes[1:]]}
        for wrong in ({"clip": 1}, {"clip": 0, "image": 0}):
            r = client.post(url, headers=csrf, json={**body, "scenes": [{**scenes[0], **wrong}, *scenes[1:]]})
            assert r.status_code == 400 and "Scene 1" in r.json()["scenes"][0]
        second = client.post(url, headers=csrf, json=body).json()
        mp4 = _preview_mp4(client, second, tmp_path / "preview.mp4")
    assert _page_data(client.get(f"/editor/{second['id']}/").text)["scenes"][0]["clip"] == 0
    opening = _timeline(client.app, second["id"]).visuals[0]
    assert isinstance(opening, VideoClip) and opening.src.endswith("page-0.mp4"), opening
    assert not isinstance(_timeline(client.app, first["id"]).visuals[0], VideoClip)  # b-roll never opens an ad

    photos = []
    for i, url in enumerate(data["images"]):
        photos.append(tmp_path / f"photo-{i}.jpg")
        photos[-1].write_bytes(client.get(url).content)
    got = _preview_json(client, second)["scenes"]
    frame = frame_at(mp4, got[0]["start"] + 0.5 * (got[1]["start"] - got[0]["start"]))
    distances = image_distances(frame, [*photos, tmp_path / "still.jpg"])
    assert distances[-1] < min(distances[:-1]) / 5, distances  # the clip, by far

"""The web app in a real browser (Debian chromium via Playwright) against a real `linkreel serve`.

One ad is made the way a marketer would: sign in, paste the shop's URL, edit the brief, make a
preview, watch it play, edit a scene line, re-preview, render, download and probe the MP4.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from linkreel.media.probe import probe
from tests.helpers import frame_at, serve_dir
from tests.web_support import (  # noqa: F401 - the *_fixture names are the browser and server fixtures
    CAPTION_BLUE,
    Server,
    blue_caption_rows,
    browser_fixture,
    image_distances,
    screenshots,
    server_fixture,
    shop_with_a_video,
    sign_in,
)

pytestmark = pytest.mark.timeout(900)

NEW_LINE = "Meet the bottle that never leaks."
ON_SCREEN = "Never leaks"


def _play_preview(frame: Any) -> float:
    """Play the preview player's <video> (muted: autoplay policy) until it passes one second."""
    frame.wait_for_selector("video", timeout=300_000)  # the page refreshes itself until the video exists
    frame.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
    frame.wait_for_function("() => document.querySelector('video').currentTime > 1", timeout=60_000)
    return frame.evaluate("() => document.querySelector('video').currentTime")


def _lines(page: Any) -> list[str]:
    return [t.input_value() for t in page.locator("textarea[name=line]").all()]


def _edit_scenes(page: Any) -> list[str]:
    """Edit scene 1's line and on-screen text, delete scene 2 (undo, then delete it again), and move the
    new scene 2 down; the lines as they are left, in order."""
    original = _lines(page)
    assert len(original) >= 4
    page.fill("#line-1", NEW_LINE)
    page.fill("#screen-1", ON_SCREEN)
    page.click("[aria-label='Delete scene 2']")
    assert _lines(page) == [NEW_LINE, *original[2:]]
    # The focus stays in the list, on the scene that took the deleted one's place.
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Delete scene 2"
    page.click("#undo")
    assert _lines(page) == [NEW_LINE, *original[1:]] and "Undone" in page.inner_text("#scenes-note")
    page.click("[aria-label='Delete scene 2']")
    page.click("[aria-label='Move scene 2 down']")
    kept = [NEW_LINE, original[3], original[2], *original[4:]]
    assert _lines(page) == kept and page.input_value("#screen-1") == ON_SCREEN
    page.reload()  # unsaved edits survive a reload
    page.wait_for_selector("#scene-list li")
    assert _lines(page) == kept and "restored" in page.inner_text("#scenes-note")
    return kept


PICKED = 2  # scene 1 shows the third photo


def _edit_look(page: Any) -> dict[str, Any]:
    """Scene 1's image (a click on its thumbnail), another voice (its sample plays), a music track (it plays),
    music volume 0, a caption style, and the caption dragged down the frame, then nudged up with the keyboard;
    what the editor was left with."""
    page.click(f"#scene-list li:first-child label[title='Image {PICKED + 1}']")
    assert page.is_checked(f"#image-1-{PICKED}") and f"shows image {PICKED + 1}" in page.inner_text("#scenes-note")
    assert page.evaluate("() => document.activeElement.id") == f"image-1-{PICKED}"
    voice = page.locator("#ed-voice option").last.get_attribute("value")
    page.select_option("#ed-voice", voice)
    page.click("#ed-play-voice")
    page.wait_for_function("""v => { const a = document.querySelector('#ed-sample');
        return a.src.includes(v) && a.currentTime > 0; }""", arg=voice, timeout=60_000)
    music = page.locator("#ed-music option").nth(2).get_attribute("value")
    page.select_option("#ed-music", music)
    page.click("#ed-play-music")
    page.wait_for_function("m => document.querySelector('#ed-sample').src === m", arg=music)
    page.focus("#ed-background_music_volume")
    page.keyboard.press("Home")
    assert page.inner_text("#ed-background_music_volume-out") == "0 %"
    page.select_option("#ed-caption-style", CAPTION_BLUE)

    page.locator("#caption-frame").scroll_into_view_if_needed()
    box, frame = page.locator("#caption-box").bounding_box(), page.locator("#caption-frame").bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0], frame["y"] + frame["height"] * 0.93, steps=6)
    page.mouse.up()
    dragged, offset_x = float(page.input_value("#ed-offset-y")), float(page.input_value("#ed-offset-x"))
    centre = page.evaluate("() => JSON.parse(document.querySelector('#page-data').textContent).look.caption_centre")
    # Straight down from where the style had it, to the bottom of the safe area (the renderer's limit too).
    assert dragged == 0.3 and offset_x == round(centre["x"], 2)
    assert page.evaluate("() => document.activeElement.id") == "caption-box"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    offset_y = round(dragged - 0.02, 2)
    assert float(page.input_value("#ed-offset-y")) == offset_y
    assert f"{offset_y:.2f} down" in page.inner_text("#caption-position-now")
    page.reload()  # unsaved choices survive a reload, like the scenes
    page.wait_for_selector("#scene-list li")
    assert page.is_checked(f"#image-1-{PICKED}") and page.input_value("#ed-voice") == voice
    assert float(page.input_value("#ed-offset-y")) == offset_y
    return {"voice": voice, "music": music, "offset": {"x": offset_x, "y": offset_y}}


def _check_frame(mp4: Path, server: Server, media_job: str, images: list[str], centre_y: float, tmp: Path) -> None:
    """In scene 1 the picked photo is on screen, and the (blue) captions sit lower than the style puts them."""
    scenes = httpx.get(f"{server.base}/media/{media_job}/preview.json").json()["scenes"]
    frame = frame_at(mp4, scenes[0]["start"] + 0.3 * (scenes[1]["start"] - scenes[0]["start"]))
    photos = []
    for i, url in enumerate(images):
        photos.append(tmp / f"photo-{i}.jpg")
        photos[-1].write_bytes(httpx.get(server.base + url).content)
    distances = image_distances(frame, photos)
    assert min(range(len(photos)), key=distances.__getitem__) == PICKED, distances
    top, bottom = blue_caption_rows(frame)
    assert (top + bottom) / 2 > 0.5 + centre_y + 0.04, (top, bottom, centre_y)


def _read_page(page: Any, server: Server) -> None:
    page.fill("#url", server.product_url)
    page.click("#scrape")
    page.wait_for_selector("#options-form:not([hidden])", timeout=120_000)


def test_make_edit_render_download(browser: Any, server: Server, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server)
    cookie = next(c for c in context.cookies() if c["name"] == "lr_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert server.api_key not in page.url

    page.goto(server.base + "/new/")
    page.fill("#url", server.product_url)
    page.click("#scrape")
    page.wait_for_selector("#brief-form:not([hidden])", timeout=120_000)
    assert "AeroBottle" in page.input_value("#title")
    assert page.locator("#images img").count() >= 3
    assert "34.95" in page.inner_text("#price")
    page.fill("#title", "AeroBottle Pro")
    page.select_option("#video_length", "15")
    assert "credits" in page.inner_text("#cost")
    page.click("#make-previews")
    page.wait_for_url("**/editor/**", timeout=300_000)
    job_id = page.url.rstrip("/").split("/")[-1]
    link = server.api("GET", f"/api/link_to_videos/{job_id}/").json()["link"]
    assert server.api("GET", f"/api/links/{link}/").json()["link"]["title"] == "AeroBottle Pro"  # the PUT landed

    assert _play_preview(page.locator("#preview-frame").element_handle().content_frame()) > 1

    kept = _edit_scenes(page)
    look = _edit_look(page)
    editor_data = page.evaluate("() => JSON.parse(document.querySelector('#page-data').textContent)")
    page.click("#repreview")
    page.wait_for_function(f"() => !location.pathname.includes('{job_id}')", timeout=300_000)
    new_id = page.url.rstrip("/").split("/")[-1]
    assert new_id != job_id
    # The edited scenes are the new version's storyboard as they were left: order, lines, on-screen text.
    assert page.locator("textarea[name=line]").all() and [
        t.input_value() for t in page.locator("textarea[name=line]").all()] == kept
    assert page.input_value("#screen-1") == ON_SCREEN
    assert "Version 2 of 2" in page.inner_text("nav.versions")
    assert page.get_attribute("#undo-version", "href") == f"/editor/{job_id}/"
    params = server.api("GET", f"/api/link_to_videos/{new_id}/").json()
    assert params["override_script"].startswith(NEW_LINE)
    assert (params["override_voice"], params["background_music_url"], params["background_music_volume"],
            params["caption_style"], params["caption_setting"]) == (
        look["voice"], look["music"], 0.0, CAPTION_BLUE, {"offset": look["offset"]})
    assert page.is_checked(f"#image-1-{PICKED}") and page.input_value("#ed-caption-style") == CAPTION_BLUE
    assert float(page.input_value("#ed-offset-y")) == look["offset"]["y"]

    page.click("#render-btn")
    download_link = page.wait_for_selector("#download", timeout=600_000)
    with page.expect_download() as info:
        download_link.click()
    mp4 = tmp_path / "ad.mp4"
    info.value.save_as(mp4)
    media = probe(mp4)
    assert media.duration_s > 5 and media.video_codec == "h264" and media.audio_codec == "aac"
    _check_frame(mp4, server, params["media_job"], editor_data["images"],
                 editor_data["look"]["caption_centre"]["y"], tmp_path)

    page.goto(server.base + "/jobs/")
    page.wait_for_selector(f"li[data-job='{new_id}'] .badge.done")
    screenshots(browser, server, "signin", "/signin/")
    screenshots(browser, server, "jobs", "/jobs/", ".job")
    screenshots(browser, server, "new", "/new/", prepare=lambda p: _read_page(p, server))
    screenshots(browser, server, "editor", f"/editor/{new_id}/", "textarea")
    screenshots(browser, server, "preview", f"/preview/{params['media_job']}/", "video")
    context.close()


def test_preview_page_inside_a_frame_of_another_origin(browser: Any, server: Server, tmp_path: Path) -> None:
    link = server.api("POST", "/api/links/", json={"url": server.product_url}).json()["id"]
    job = server.api("POST", "/api/link_to_videos/preview/", json={
        "link": link, "video_length": 15, "aspect_ratio": "9x16", "visual_style": "FullScreenTemplate"}).json()
    (tmp_path / "host.html").write_text(
        f'<!doctype html><title>host</title><iframe id="p" src="{server.base}/preview/{job["media_job"]}/" '
        f'width="800" height="600"></iframe><iframe id="j" src="{server.base}/jobs/"></iframe>')
    with serve_dir(tmp_path) as other:
        assert other.split(":")[-1] != server.base.split(":")[-1]
        page = browser.new_page()
        page.goto(f"{other}/host.html")
        frame = page.locator("#p").element_handle().content_frame()
        frame.wait_for_selector("li .role")
        assert frame.inner_text("h1") and frame.locator("li").count() >= 2
        jobs_frame = page.locator("#j").element_handle().content_frame()
        page.wait_for_timeout(1000)
        assert "Sign in" not in jobs_frame.content()  # the app itself refuses to be framed
        page.close()


def test_auth_and_csrf_failures_are_refused(browser: Any, server: Server) -> None:
    anonymous = httpx.Client(base_url=server.base)
    assert anonymous.get("/jobs/").status_code == 303
    assert anonymous.post("/web/api/links/", json={"url": server.product_url}).status_code == 401
    form = anonymous.get("/signin/")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    forged = httpx.post(f"{server.base}/signin/", data={"api_id": server.api_id, "api_key": server.api_key,
                                                       "csrf_token": "forged"})
    assert forged.status_code == 403 and "lr_session" not in forged.cookies
    wrong = anonymous.post("/signin/", data={"api_id": server.api_id, "api_key": "wrong", "csrf_token": token})
    assert wrong.status_code == 401 and "do not match" in wrong.text and server.api_id in wrong.text

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server)
    # A signed-in browser whose write lacks the CSRF token is refused, and nothing is created.
    before = len(server.api("GET", "/api/links/").json())
    status = page.evaluate("""url => fetch('/web/api/links/', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({url})}).then(r => r.status)""", server.product_url)
    assert status == 403
    status = page.evaluate("""() => fetch('/signout/', {method: 'POST'}).then(r => r.status)""")
    assert status == 403
    assert len(server.api("GET", "/api/links/").json()) == before
    # A tampered cookie is no session.
    cookie = next(c for c in context.cookies() if c["name"] == "lr_session")
    tampered = httpx.get(f"{server.base}/web/api/jobs/", cookies={"lr_session": cookie["value"][:-2] + "00"})
    assert tampered.status_code == 401
    page.click("text=Sign out")
    page.wait_for_url("**/signin/")
    assert page.request.get(server.base + "/web/api/jobs/").status == 401
    # A copy of the cookie taken before signing out is revoked on the server too.
    copied = httpx.get(f"{server.base}/web/api/jobs/", cookies={"lr_session": cookie["value"]})
    assert copied.status_code == 401
    context.close()


# Nothing but cards in the avatar grid (no stray text).
CARDS_ONLY = "() => [...document.querySelector('#personas').childNodes].every(n => n.matches?.('.persona'))"


def _persona_grid_and_caption_sample(page: Any) -> None:
    """The avatar grid filters client-side; the caption sample follows the chosen caption style."""
    total = page.locator(".persona[data-id]").count()
    assert total >= 8 and page.is_checked(".persona.auto input")
    assert page.evaluate(CARDS_ONLY)
    page.select_option("#pf-gender", "f")
    shown = page.locator(".persona[data-id]:not([hidden])")
    assert 0 < shown.count() < total and f"of {total} avatars" in page.inner_text("#persona-count")
    assert all(t.startswith("female") for t in shown.locator(".muted").all_inner_texts())
    page.select_option("#pf-gender", "")
    assert page.locator(".persona[data-id]:not([hidden])").count() == total
    page.select_option("#caption_style", "neo")
    page.wait_for_function("""() => { const i = document.querySelector('#caption-sample');
        return i.src.endsWith('/neo.jpg') && i.complete && i.naturalWidth === 360; }""", timeout=60_000)
    assert "neo" in page.inner_text("#caption-sample-name")
    page.select_option("#caption_style", "")


def test_compare_several_styles_and_render_one(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, server)
    page.goto(server.base + "/new/")
    _read_page(page, server)
    page.check("#styles input[value='DynamicProductTemplate']")
    assert page.inner_text("#make-previews") == "Make 2 previews"
    _persona_grid_and_caption_sample(page)
    page.click("#make-previews")
    page.wait_for_url("**/compare/**", timeout=120_000)
    job_id = page.url.rstrip("/").split("/")[-1]
    page.wait_for_function("() => document.querySelectorAll('#previews figure').length === 2", timeout=300_000)
    captions = page.locator("#previews figcaption span").all_inner_texts()
    assert any(c.startswith("DynamicProductTemplate") for c in captions)
    screenshots(browser, server, "compare", f"/compare/{job_id}/", "#previews figure")
    page.locator("#previews button").first.click()
    page.wait_for_url("**/jobs/")
    job = server.api("GET", f"/api/link_to_videos/{job_id}/").json()
    assert len(job["outputs"]) == 1 and job["outputs"][0]["media_job"] in {p["media_job"] for p in job["previews"]}
    page.wait_for_selector(f"li[data-job='{job_id}'] .stage")

    # Live status: the render's card turns done over server-sent events, on the same page load.
    page.wait_for_function("() => document.body.dataset.live === 'sse'")
    page.evaluate("() => { window.sameLoad = true; }")
    card = f"li[data-job='{job_id}']"
    assert page.inner_text(f"{card} .badge") in ("waiting", "working")
    page.wait_for_selector(f"{card} .badge.done", timeout=600_000)
    assert page.evaluate("() => window.sameLoad === true")
    assert "done" in page.inner_text("#jobs-live")  # announced to screen readers
    assert page.locator(f"{card} a[download]").count() >= 1

    # Re-run: the first click arms the button, the second makes a new job with the same previews.
    jobs_before = page.locator("#jobs > li").count()
    rerun = page.locator(f"{card} [data-action=rerun]")
    rerun.click()
    assert "Confirm" in rerun.inner_text() and page.locator("#jobs > li").count() == jobs_before
    rerun.click()
    page.wait_for_function(f"() => document.querySelectorAll('#jobs > li').length === {jobs_before + 1}")
    new_id = page.get_attribute("#jobs > li:first-child", "data-job")
    again = server.api("GET", f"/api/link_to_videos/{new_id}/").json()
    assert new_id != job_id and again["video_length"] == job["video_length"]
    assert "Re-run started" in page.inner_text("#jobs-live")
    screenshots(browser, server, "jobs-live", "/jobs/", f"li[data-job='{new_id}']")
    context.close()


def _grid_drawn(page: Any) -> None:
    """The avatar grid in view with its first previews loaded (they are lazy and drawn on first request)."""
    page.locator("#personas").scroll_into_view_if_needed()
    page.wait_for_function("""() => [...document.querySelectorAll('#personas .persona:not([hidden]) img')].slice(0, 3)
        .every(i => i.complete && i.naturalWidth > 0)""", timeout=60_000)


def test_editor_changes_the_presenter_and_a_scenes_clip(browser: Any, server: Server, tmp_path: Path) -> None:
    """A product page with a video, in a style with a presenter. The editor's avatar grid checks the ad's own
    (Automatic, naming who that is) and filters like the new-ad page's; scene 1's picker offers the page's clip
    beside the photos. A persona and the clip, picked, survive a reload; a re-preview saves them: the new
    version asks for that persona and shows both checked."""
    with serve_dir(shop_with_a_video(tmp_path / "shop")) as shop:  # the preview fetches the page's video
        link = server.api("POST", "/api/links/", json={"url": f"{shop}/aerobottle/index.html"}).json()["id"]
        job = server.api("POST", "/api/link_to_videos/preview/", json={
            "link": link, "video_length": 15, "aspect_ratio": "9x16",
            "visual_style": "SimpleAvatarOverlayTemplate"}).json()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.base}/editor/{job['id']}/")
    page.wait_for_selector("#personas .persona[data-id]", timeout=120_000)
    avatar = page.evaluate("() => JSON.parse(document.querySelector('#page-data').textContent).avatar")
    matched = next(p for p in avatar["personas"] if p["id"] == avatar["matched"])
    assert page.is_checked(".persona.auto input") and f"matched: {matched['creator_name']}" in page.inner_text(
        ".persona.auto")
    assert not page.is_checked(".persona.none input") and "No presenter" in page.inner_text(".persona.none")
    assert page.evaluate(CARDS_ONLY)

    page.select_option("#pf-gender", matched["gender"])  # the same filters as on the new-ad page
    shown = page.locator(".persona[data-id]:not([hidden])")
    assert 0 < shown.count() < len(avatar["personas"])
    picked = next(p for p in avatar["personas"] if p["gender"] == matched["gender"] and p["id"] != matched["id"])
    page.click(f".persona[data-id='{picked['id']}']")
    assert page.is_checked(f".persona[data-id='{picked['id']}'] input")
    assert page.inner_text("#scene-list li:first-child legend") == "Image or clip"
    page.click("#scene-list li:first-child label[title='Clip 1']")
    assert page.is_checked("#image-1-clip-0") and "Scene 1 shows clip 1." in page.inner_text("#scenes-note")
    page.reload()  # unsaved picks survive a reload, like the other choices
    page.wait_for_selector("#personas .persona[data-id]")
    assert page.is_checked(f".persona[data-id='{picked['id']}'] input") and page.is_checked("#image-1-clip-0")

    page.click("#repreview")
    page.wait_for_function(f"() => !location.pathname.includes('{job['id']}')", timeout=300_000)
    new_id = page.url.rstrip("/").split("/")[-1]
    assert server.api("GET", f"/api/link_to_videos/{new_id}/").json()["override_avatar"] == picked["id"]
    page.wait_for_selector("#personas .persona[data-id]")
    assert page.is_checked(f".persona[data-id='{picked['id']}'] input") and not page.is_checked(".persona.auto input")
    assert page.is_checked("#image-1-clip-0") and "Version 2 of 2" in page.inner_text("nav.versions")
    screenshots(browser, server, "editor-avatar", f"/editor/{new_id}/", "#personas .persona[data-id]",
                prepare=_grid_drawn)
    context.close()

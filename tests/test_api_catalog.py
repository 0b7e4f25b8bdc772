"""Personas, voices, music and credits endpoints (contract §6), and their media under /media."""

from __future__ import annotations

import uuid

import pytest

from linkreel.api.samples import track_for_url
from linkreel.avatars.personas import FILTERS, LIBRARY, suggest_persona
from linkreel.media import music
from linkreel.voice import catalog
from tests.api_support import PUBLIC_URL, Api

pytest_plugins = ["tests.api_support"]  # fixtures: api, settings, shop

PERSONA_FIELDS = {
    "id", "created_at", "updated_at", "gender", "creator_name", "suitable_industries", "age_range", "location",
    "style", "video_scene", "keywords", "is_active", "process_status", "failed_reason", "type",
    "preview_image_16_9", "preview_image_1_1", "preview_image_9_16", "preview_video_16_9", "preview_video_1_1",
    "preview_video_9_16", "landscape_preview_video", "squared_preview_video", "portrait_preview_video",
}


def local(url: str) -> str:
    """A public media URL as a path on the test client."""
    assert url.startswith(PUBLIC_URL + "/media/")
    return url.removeprefix(PUBLIC_URL)


# --------------------------------------------------------------------------- personas


def test_persona_library_covers_every_filter_value() -> None:
    assert len(LIBRARY) >= 12
    for name, values in FILTERS.items():
        assert {getattr(p, name) for p in LIBRARY} == set(values), name
    assert len({p.id for p in LIBRARY}) == len(LIBRARY)


def test_personas_list_and_one(api: Api) -> None:
    people = api.get("/api/personas/").json()
    assert len(people) == len(LIBRARY)
    first = people[0]
    assert set(first) == PERSONA_FIELDS and "name" not in first
    assert first["is_active"] is True and first["type"] == "normal" and first["process_status"] == "done"
    assert first["created_at"].endswith("Z")
    assert api.get(f"/api/personas/{first['id']}/").json() == first
    assert api.get(f"/api/personas/{uuid.uuid4()}/").status_code == 404
    assert api.get("/api/personas/bogus/").status_code == 404


def test_persona_filters_match_any_value(api: Api) -> None:
    found = api.get("/api/personas/?gender=nb,f&age_range=adult").json()
    assert found and all(p["gender"] in ("nb", "f") and p["age_range"] == "adult" for p in found)
    expected = [p for p in LIBRARY if p.gender in ("nb", "f") and p.age_range == "adult"]
    assert [p["id"] for p in found] == [p.id for p in expected]
    page = api.get("/api/personas/paginated/?style=selfie&page_size=2").json()
    assert page["count"] == sum(p.style == "selfie" for p in LIBRARY) and len(page["results"]) == 2
    assert page["next"].startswith(f"{PUBLIC_URL}/api/personas/paginated/?") and "style=selfie" in page["next"]


def test_persona_filter_unknown_value(api: Api) -> None:
    r = api.get("/api/personas/?location=moon&style=selfie,vlog")
    assert r.status_code == 400
    assert r.json() == {"location": ['"moon" is not a valid choice.'], "style": ['"vlog" is not a valid choice.']}
    assert api.get("/api/personas/paginated/?gender=x").status_code == 400


def test_suggest_persona_is_deterministic_and_fits() -> None:
    assert suggest_persona("Vitamin C serum with SPF for glowing skin", "a").creator_name == "Aisha"
    assert suggest_persona("anything", "seed") == suggest_persona("anything", "seed")


# --------------------------------------------------------------------------- voices


def test_voices_list(api: Api) -> None:
    voices = api.get("/api/voices/").json()
    assert len(voices) == len(catalog.all_voices())
    for voice in voices:
        assert voice["gender"] in ("male", "female") and voice["name"]
        for accent in voice["accents"]:
            uuid.UUID(accent["id"])
            assert catalog.get_voice(accent["id"]).accent_name == accent["accent_name"]
            assert accent["preview_url"] == f"{PUBLIC_URL}/media/voices/{accent['id']}/preview.mp3"


def test_voices_paginated(api: Api) -> None:
    page = api.get("/api/voices/paginated/?page=2&page_size=5").json()
    assert page["count"] == len(catalog.all_voices()) and len(page["results"]) == 5
    assert page["previous"] == f"{PUBLIC_URL}/api/voices/paginated/?page=1&page_size=5"
    assert page["results"] == api.get("/api/voices/").json()[5:10]


def test_voice_preview_is_synthesised_once_and_public(api: Api) -> None:
    accent = api.get("/api/voices/").json()[0]["accents"][0]
    r = api.client.get(local(accent["preview_url"]))  # no API headers: media URLs are public
    assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg"
    assert r.content[:3] == b"ID3" or r.content[0] == 0xFF
    assert len(r.content) > 5000
    assert api.client.get(local(accent["preview_url"])).content == r.content  # cached file
    assert api.client.get(f"/media/voices/{uuid.uuid4()}/preview.mp3").status_code == 404
    assert api.client.get("/media/voices/en-f/preview.mp3").status_code == 404


# --------------------------------------------------------------------------- music


def test_music_categories(api: Api) -> None:
    assert api.get("/api/music_categories/").json() == [{"name": c} for c in music.categories()]


def test_musics_filters_and_pages(api: Api) -> None:
    everything = api.get("/api/musics/").json()
    assert everything["count"] == len(music.TRACKS) and everything["page"] == 1 and everything["page_size"] == 10
    item = everything["results"][0]
    assert set(item) == {"id", "name", "category", "duration", "url"}
    category = music.categories()[0]
    upbeat = api.get(f"/api/musics/?category={category.upper()}").json()
    assert upbeat["count"] == len(music.tracks(category))
    assert all(t["category"] == category for t in upbeat["results"])
    name = music.TRACKS[0].name
    found = api.get(f"/api/musics/?search={name[:5].lower()}").json()["results"]
    assert name in [t["name"] for t in found]
    page2 = api.get("/api/musics/?page=2&page_size=3").json()
    assert page2["page"] == 2 and [t["id"] for t in page2["results"]] == [t.id for t in music.TRACKS[3:6]]
    assert api.get("/api/musics/?category=nope").json()["count"] == 0


def test_music_url_serves_the_track(api: Api) -> None:
    item = api.get("/api/musics/?page_size=1").json()["results"][0]
    r = api.client.get(local(item["url"]))
    assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg" and len(r.content) > 100_000
    assert track_for_url(api.app.state.settings, item["url"]).id == item["id"]
    assert track_for_url(api.app.state.settings, "https://elsewhere.example/media/music/x.mp3") is None
    assert api.client.get(f"/media/music/{uuid.uuid4()}.mp3").status_code == 404


# --------------------------------------------------------------------------- credits


def test_remaining_credits(api: Api) -> None:
    assert api.get("/api/remaining_credits/").json() == {"remaining_credits": 100}
    half = api.new_workspace(credits=412.5)
    assert half.get("/api/remaining_credits").json() == {"remaining_credits": 412.5}


@pytest.mark.parametrize("path", ["/media/", "/media/../linkreel.db", "/media/%2e%2e/linkreel.db"])
def test_media_does_not_leak_the_data_dir(api: Api, path: str) -> None:
    assert api.client.get(path).status_code == 404

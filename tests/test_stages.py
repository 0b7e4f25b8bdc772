"""The stage cache, and its mirror in storage: a job's finished stages restored on another machine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pydantic import BaseModel

from linkreel.stages import StageCache, StorageMirror, WorkDirSeed
from linkreel.storage import LocalStorage


class Spoken(BaseModel):
    audio_path: str
    bed_path: str | None = None
    words: list[str]


def _speak(calls: list[Path], bed: Path | None = None):
    def fn(stage_dir: Path) -> Spoken:
        calls.append(stage_dir)
        (stage_dir / "voice.wav").write_bytes(b"RIFF" + bytes(range(256)) * 40)
        (stage_dir / "parts").mkdir()
        (stage_dir / "parts" / "a word's take.raw").write_bytes(b"x" * 10)  # not a valid storage key as is
        return Spoken(audio_path=str(stage_dir / "voice.wav"), bed_path=str(bed) if bed else None,
                      words=["Meet", "/not a path", "AeroBottle"])
    return fn


def test_a_stage_runs_once_then_comes_from_the_cache(tmp_path: Path) -> None:
    calls: list[Path] = []
    events: list[tuple[str, str]] = []
    cache = StageCache(tmp_path / "work", on_event=lambda n, s: events.append((n, s)))
    first = cache.run("voice", {"text": "hi"}, Spoken, _speak(calls))
    again = cache.run("voice", {"text": "hi"}, Spoken, _speak(calls))
    other = cache.run("voice", {"text": "hello"}, Spoken, _speak(calls))
    assert first == again and other.audio_path != first.audio_path and len(calls) == 2
    assert events == [("voice", "start"), ("voice", "done"), ("voice", "cached"), ("voice", "start"),
                      ("voice", "done")]


def test_another_machine_restores_a_finished_stage_from_storage(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "bucket")
    first_calls: list[Path] = []
    machine_a = StageCache(tmp_path / "a" / "work" / "job1", mirror=StorageMirror(storage, "stages/job1"))
    made = machine_a.run("voice", {"text": "hi"}, Spoken, _speak(first_calls))

    # Machine B: its own work dir (another path), the same storage. The stage does not run again.
    later_calls: list[Path] = []
    events: list[tuple[str, str]] = []
    root_b = tmp_path / "b" / "data" / "work" / "job1"
    machine_b = StageCache(root_b, on_event=lambda n, s: events.append((n, s)),
                           mirror=StorageMirror(storage, "stages/job1"))
    got = machine_b.run("voice", {"text": "hi"}, Spoken, _speak(later_calls))
    assert later_calls == [] and events == [("voice", "cached")]
    assert Path(got.audio_path).is_relative_to(root_b) and got.words == made.words
    assert Path(got.audio_path).read_bytes() == Path(made.audio_path).read_bytes()
    stage_dir = Path(got.audio_path).parent
    assert (stage_dir / "parts" / "a word's take.raw").read_bytes() == b"x" * 10
    assert json.loads((stage_dir / "result.json").read_text())["audio_path"] == got.audio_path
    # A later stage whose inputs name the restored file has the same key on both machines.
    machine_a.run("captions", {"speech": made}, Spoken, _speak(first_calls))
    machine_b.run("captions", {"speech": got}, Spoken, _speak(later_calls))
    assert len(first_calls) == 2 and later_calls == []

    # Once the job is over its copies go.
    StorageMirror(storage, "stages/job1").delete()
    assert not list((tmp_path / "bucket" / "stages").rglob("*.json"))


def test_a_result_naming_a_file_this_machine_lacks_runs_the_stage(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "bucket")
    bed = tmp_path / "a-cache" / "music" / "bed.wav"  # outside the work dir: machine A's own cache
    bed.parent.mkdir(parents=True)
    bed.write_bytes(b"RIFF")
    StageCache(tmp_path / "a" / "job1", mirror=StorageMirror(storage, "stages/job1")).run(
        "music", {"t": 1}, Spoken, _speak([], bed))
    bed.unlink()  # machine B has no such file
    calls: list[Path] = []
    got = StageCache(tmp_path / "b" / "job1", mirror=StorageMirror(storage, "stages/job1")).run(
        "music", {"t": 1}, Spoken, _speak(calls, tmp_path / "b-bed.wav"))
    assert len(calls) == 1 and got.bed_path == str(tmp_path / "b-bed.wav")


def test_renders_are_not_mirrored(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "bucket")
    StageCache(tmp_path / "a", mirror=StorageMirror(storage, "stages/j")).run("render", {"x": 1}, Spoken, _speak([]))
    calls: list[Path] = []
    StageCache(tmp_path / "b", mirror=StorageMirror(storage, "stages/j")).run("render", {"x": 1}, Spoken,
                                                                               _speak(calls))
    assert len(calls) == 1 and not (tmp_path / "bucket").exists()


def test_a_stage_is_taken_from_a_seed_work_dir(tmp_path: Path) -> None:
    """The web editor's next version of an ad takes the stages its edit did not change from the version before:
    files linked, paths moved to its own work dir, so it keeps them when the earlier one's files go."""
    calls: list[Path] = []
    made = StageCache(tmp_path / "job1").run("voice", {"text": "hi"}, Spoken, _speak(calls))
    events: list[tuple[str, str]] = []
    next_version = StageCache(tmp_path / "job2", on_event=lambda n, s: events.append((n, s)),
                              seeds=(WorkDirSeed(tmp_path / "job1"), WorkDirSeed(tmp_path / "gone")))
    got = next_version.run("voice", {"text": "hi"}, Spoken, _speak(calls))
    assert len(calls) == 1 and events == [("voice", "cached")]
    assert got.audio_path == made.audio_path.replace(str(tmp_path / "job1"), str(tmp_path / "job2"))
    assert Path(got.audio_path).stat().st_ino == Path(made.audio_path).stat().st_ino  # not stored twice
    shutil.rmtree(tmp_path / "job1")
    assert Path(got.audio_path).read_bytes().startswith(b"RIFF")
    assert (Path(got.audio_path).parent / "parts" / "a word's take.raw").read_bytes() == b"x" * 10
    next_version.run("voice", {"text": "hello"}, Spoken, _speak(calls))  # what no seed has runs
    assert len(calls) == 2

"""Process measurements for `make bench`: wall, CPU and peak RSS per stage, without psutil.

A sampler thread reads /proc every few milliseconds: this process and every descendant (the ffmpeg
processes a render starts). Stage boundaries come from the pipeline's own stage events, so the
figures are attributed to the stage that was running. CPU seconds are this process plus its
finished children (`getrusage`); ffmpeg runs are always waited for, so a stage's CPU includes them.
"""

import os
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from linkreel.pipeline import Progress

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds() -> float:
    """User + system seconds of this process and its waited-for children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_mib(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MIB
    except (OSError, IndexError, ValueError):
        return 0.0  # it exited between listing and reading


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the command name may hold spaces and parentheses
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


@dataclass
class Peaks:
    """Peak RSS (MiB) of this Python process and of the largest child process, per label."""

    python: dict[str, float] = field(default_factory=dict)
    child: dict[str, float] = field(default_factory=dict)

    def note(self, label: str, python: float, child: float) -> None:
        self.python[label] = max(self.python.get(label, 0.0), python)
        self.child[label] = max(self.child.get(label, 0.0), child)


class Sampler:
    """Samples RSS of this process tree every `interval` s; `label` names what is running now."""

    def __init__(self, interval: float = 0.03) -> None:
        self.interval = interval
        self.labels: set[str] = {"total"}
        self.peaks = Peaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            pids = _descendants(me)
            python = _rss_mib(me)
            child = max((_rss_mib(p) for p in pids if p != me), default=0.0)
            for label in list(self.labels):
                self.peaks.note(label, python, child)
            self._stop.wait(self.interval)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @contextmanager
    def labelled(self, label: str) -> Iterator[None]:
        self.labels.add(label)
        try:
            yield
        finally:
            self.labels.discard(label)


@dataclass
class StageClock(Progress):
    """Wall and CPU seconds per pipeline stage, from the stage events (`Progress.stage`)."""

    sampler: Sampler
    prefix: str = ""
    started: dict[str, tuple[float, float]] = field(default_factory=dict)
    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def stage(self, name: str, status: str) -> None:
        label = self.prefix + name
        if status == "start":
            self.started[name] = (time.perf_counter(), cpu_seconds())
            self.sampler.labels.add(label)
        elif status == "done" and name in self.started:
            t0, c0 = self.started.pop(name)
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - t0
            self.cpu[name] = self.cpu.get(name, 0.0) + cpu_seconds() - c0
            self.sampler.labels.discard(label)

    def fraction(self, name: str, value: float) -> None:
        pass

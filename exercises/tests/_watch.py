"""``gradelab check --watch``: check again, each time a topic file is saved, the topic it holds.

File events come from watchdog (inotify, FSEvents, ReadDirectoryChangesW: no polling loop of
ours). Each check runs in a fresh Python process, so the saved file is imported anew, and under
the same time limit as any check. Ctrl-C stops watching.
"""

from __future__ import annotations

import importlib.util
import queue
import subprocess
import sys
import time
from pathlib import Path

from ._loading import missing_package
from ._runner import TOPICS, test_files

SETTLE = 0.3  # seconds to wait for more events after a save (editors write in several steps)


def learner_folder(where: str | None) -> Path:
    """The folder holding the learner's topic files: ``where``, or the ``exercises`` package."""
    if where:
        return Path(where).resolve()
    spec = importlib.util.find_spec("exercises")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else Path("exercises").resolve()


def saved_topic(path: str | bytes, folder: Path, topics: tuple[str, ...]) -> str | None:
    """The topic a file event is about: ``<folder>/<topic>.py`` for one of ``topics``, else None."""
    p = Path(path.decode() if isinstance(path, bytes) else path)
    if p.suffix == ".py" and p.stem in topics and p.parent.resolve() == folder:
        return p.stem
    return None


def _check(topics: list[str], where: str | None, timeout: float | None) -> int:
    cmd = [sys.executable, "-m", "exercises.tests._cli", "check", *topics]
    if where:
        cmd += ["--path", where]
    if timeout is not None:
        cmd += ["--timeout", f"{timeout:g}"]
    return subprocess.call(cmd)


def watch(topics: list[str] | None, where: str | None, timeout: float | None) -> int:
    """Check ``topics`` (default: all) now, then the topic of every saved file, until Ctrl-C."""
    try:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
    except ModuleNotFoundError as exc:
        print(f"--watch {missing_package(exc)}", file=sys.stderr)
        return 2
    try:
        test_files(topics)  # an unknown topic: the message `check` without --watch gives
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2

    chosen = tuple(topics) if topics else TOPICS
    folder = learner_folder(where)
    saved: queue.Queue[str] = queue.Queue()

    class Saved(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type not in ("created", "modified", "moved", "closed"):
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                topic = path and saved_topic(path, folder, chosen)
                if topic:
                    saved.put(topic)

    observer = Observer()
    observer.schedule(Saved(), str(folder), recursive=False)
    observer.start()
    try:
        _check(list(chosen), where, timeout)
        print(f"\nwatching {folder} for saved topic files (Ctrl-C to stop)", flush=True)
        while True:
            due = {saved.get()}
            deadline = time.monotonic() + SETTLE
            while (left := deadline - time.monotonic()) > 0:
                try:
                    due.add(saved.get(timeout=left))
                except queue.Empty:
                    break
            ordered = [t for t in TOPICS if t in due]
            print(f"\nsaved {', '.join(f'{t}.py' for t in ordered)}: checking again", flush=True)
            _check(ordered, where, timeout)
            print(f"\nwatching {folder} (Ctrl-C to stop)", flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        observer.join()

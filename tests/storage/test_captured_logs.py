"""Captured step output: which files may be read (only those the run's events name inside the
run's log folder) and reading them by byte cursor without cutting a UTF-8 character."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.storage.captured_logs import (
    CAPTURED_LOGS_KIND,
    CapturedLogFile,
    LogStream,
    complete_utf8_prefix,
    read_chunk,
)
from assetgraph.storage.instance import Instance


@pytest.fixture
def instance(sqlite_url: str) -> Instance:
    with Instance.from_url(sqlite_url) as inst:
        yield inst


def announce(instance: Instance, run_id: str, step_key: str, stdout: str, stderr: str = "/dev/null") -> None:
    """Store the event a run worker writes when it captures a step's output."""
    if instance.get_run(run_id) is None:
        instance.create_run(Run(run_id=run_id, status=RunStatus.STARTED))
    instance.store_events([Event(event_type=EventType.LOG_MESSAGE, run_id=run_id, timestamp=time.time(),
                                 step_key=step_key, message="captured",
                                 data={"kind": CAPTURED_LOGS_KIND, "stdout": stdout, "stderr": stderr})])


def test_logs_live_under_the_instance_home(instance: Instance, sqlite_url: str) -> None:
    home = Path(sqlite_url.removeprefix("sqlite:///")).parent
    assert instance.captured_logs.base_dir == (home / "logs").resolve()
    assert instance.captured_logs.run_dir("r1") == (home / "logs" / "r1").resolve()


@pytest.mark.parametrize("run_id", ["", ".", "..", "a/b", "../r1", "a\\b", "a\0b"])
def test_a_run_id_that_is_not_one_path_component_has_no_folder(instance: Instance, run_id: str) -> None:
    with pytest.raises(ValueError, match="is not a run id"):
        instance.captured_logs.run_dir(run_id)


def test_the_file_a_run_event_names_in_its_folder_is_found(instance: Instance) -> None:
    out = instance.captured_logs.run_dir("r1") / "step.out"
    out.parent.mkdir(parents=True)
    out.write_text("hi\n")
    announce(instance, "r1", "step", str(out))
    found = instance.get_captured_log("r1", "step", LogStream.STDOUT)
    assert found is not None and found.path == out and found.size() == 3
    assert instance.get_captured_log("r1", "other_step", LogStream.STDOUT) is None
    assert instance.get_captured_log("r2", "step", LogStream.STDOUT) is None


def test_paths_outside_the_run_folder_are_refused(instance: Instance, tmp_path: Path) -> None:
    logs = instance.captured_logs
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    other_run = logs.run_dir("r2") / "step.out"
    other_run.parent.mkdir(parents=True)
    other_run.write_text("another run's output")
    link = logs.run_dir("r1") / "link.out"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    forged = {
        "absolute elsewhere": str(secret),
        "dot-dot out of the folder": str(logs.run_dir("r1") / ".." / ".." / secret.name),
        "another run's folder": str(other_run),
        "the folder itself": str(logs.run_dir("r1")),
        "a symlink out of the folder": str(link),
        "relative": "step.out",
    }
    for i, path in enumerate(forged.values()):
        announce(instance, "r1", f"s{i}", path)
    for i, what in enumerate(forged):
        assert instance.get_captured_log("r1", f"s{i}", LogStream.STDOUT) is None, what


def test_the_newest_announcement_of_a_step_wins(instance: Instance) -> None:
    folder = instance.captured_logs.run_dir("r1")
    announce(instance, "r1", "step", str(folder / "first.out"))
    announce(instance, "r1", "step", str(folder / "second.out"))
    found = instance.get_captured_log("r1", "step", LogStream.STDOUT)
    assert found is not None and found.path.name == "second.out"


def _file(tmp_path: Path, content: bytes) -> CapturedLogFile:
    path = tmp_path / "step.out"
    path.write_bytes(content)
    return CapturedLogFile("r1", "step", LogStream.STDOUT, path)


def test_chunks_follow_the_byte_cursor_to_the_end(tmp_path: Path) -> None:
    file = _file(tmp_path, b"line one\nline two\n")
    first = read_chunk(file, None, 10)
    assert (first.data, first.start, first.end, first.size, first.has_more) == ("line one\nl", 0, 10, 18, True)
    rest = read_chunk(file, first.end, 10)
    assert (rest.data, rest.end, rest.has_more) == ("ine two\n", 18, False)
    assert read_chunk(file, 18, 10).data == ""
    assert read_chunk(file, 1000, 10).data == ""


def test_a_chunk_never_ends_inside_a_character(tmp_path: Path) -> None:
    text = "größe ✓ 𝄞 end"
    encoded = text.encode()
    file = _file(tmp_path, encoded)
    pieces, cursor = [], 0
    while cursor < len(encoded):
        chunk = read_chunk(file, cursor, 3)
        assert chunk.end > cursor
        pieces.append(chunk.data)
        cursor = chunk.end
    assert "".join(pieces) == text
    assert "\ufffd" not in "".join(pieces)


def test_a_cut_character_at_the_end_waits_unless_the_file_is_final(tmp_path: Path) -> None:
    file = _file(tmp_path, "ok ✓".encode()[:-1])  # a writer in the middle of the check mark
    live = read_chunk(file, None, 100)
    assert (live.data, live.end, live.has_more) == ("ok ", 3, False)
    final = read_chunk(file, None, 100, final=True)
    assert final.data == "ok \ufffd" and final.end == final.size


def test_reading_from_the_end_starts_at_a_line(tmp_path: Path) -> None:
    file = _file(tmp_path, b"".join(f"line {i}\n".encode() for i in range(100)))
    tail = read_chunk(file, None, 30, from_end=True)
    assert tail.data == "line 97\nline 98\nline 99\n"
    assert tail.start == tail.size - len(tail.data) and tail.end == tail.size
    whole = read_chunk(file, None, 100_000, from_end=True)
    assert whole.start == 0


def test_a_missing_file_reads_as_empty(tmp_path: Path) -> None:
    chunk = read_chunk(CapturedLogFile("r1", "s", LogStream.STDERR, tmp_path / "nope.err"), None, 10)
    assert (chunk.data, chunk.size, chunk.exists, chunk.has_more) == ("", 0, False, False)


@pytest.mark.parametrize(("cursor", "size"), [(-1, 10), (None, 0), (None, 2 * 1024 * 1024)])
def test_bad_cursor_or_size_is_refused(tmp_path: Path, cursor: int | None, size: int) -> None:
    with pytest.raises(ValueError):
        read_chunk(_file(tmp_path, b"x"), cursor, size)


@pytest.mark.parametrize(("raw", "expected"), [
    (b"", 0), (b"abc", 3), ("é".encode(), 2), ("é".encode()[:1], 0), ("✓".encode()[:2], 0),
    ("a𝄞".encode()[:4], 1), ("a𝄞".encode(), 5), (b"\x80\x80\x80\x80", 4),
])
def test_complete_utf8_prefix(raw: bytes, expected: int) -> None:
    assert complete_utf8_prefix(raw) == expected

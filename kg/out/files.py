"""Write files atomically: a temporary file in the target folder, then a rename.

A file's content is bytes, or a function that writes it to an open binary file
(so that large outputs are streamed, never held whole). A failed or interrupted
build never leaves a half-written output: each file is either the previous
version or the new one. A build killed outright (SIGKILL,
power loss) can leave a temporary file behind; its name carries the writer's
process id, and the next write into the folder removes those whose writer is gone.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

TEMP = re.compile(r"\..+\.pid(\d+)\.[^.]+\.tmp")


Content = bytes | Callable[[BinaryIO], None]  # the bytes of a file, or what writes them


def as_bytes(content: Content) -> bytes:
    """The bytes of a file's content (what a writer writes, when it is one)."""
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


def write_atomic(path: Path, data: Content) -> None:
    """Write a file via a temporary file and a rename."""
    write_all(path.parent, {path.name: data})


def write_all(out: Path, files: dict[str, Content]) -> None:
    """Write each file of `files` (name → content) into the folder `out`: every one to a temporary
    file first, then all renamed, so that a failure while writing any of them replaces none."""
    out.mkdir(parents=True, exist_ok=True)
    remove_temps(out)
    temps: list[tuple[str, Path]] = []
    try:
        for name in sorted(files):
            temps.append((name, temporary(out / name, files[name])))
        for name, tmp in temps:
            os.replace(tmp, out / name)
    except BaseException:
        # by name, not by `temps`: an interrupt can come between mkstemp creating a file and returning
        remove_temps(out, os.getpid())
        raise
    folder = os.open(out, os.O_RDONLY)
    try:
        os.fsync(folder)  # the renames themselves survive a power loss
    finally:
        os.close(folder)


def temporary(path: Path, data: Content) -> Path:
    """A temporary file beside `path` holding `data`, flushed to disk, with the mode `path` has
    (or a plain open() would give)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.pid{os.getpid()}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        if isinstance(data, bytes):
            f.write(data)
        else:
            data(f)
        f.flush()
        os.fsync(f.fileno())
    try:  # mkstemp makes the file private (0600)
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    return Path(tmp)


def remove_temps(folder: Path, pid: int | None = None) -> None:
    """Delete the temporary files in folder of writers that no longer run, and those of `pid`."""
    for name in os.listdir(folder):
        m = TEMP.fullmatch(name)
        if m and (int(m.group(1)) == pid or not _running(int(m.group(1)))):
            (folder / name).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True

"""Write files atomically: a temporary file in the target folder, then a rename.

A failed or interrupted build never leaves a half-written output: each file is
either the previous version or the new one. A build killed outright (SIGKILL,
power loss) can leave a temporary file behind; its name carries the writer's
process id, and the next write into the folder removes those whose writer is gone.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

TEMP = re.compile(r"\..+\.pid(\d+)\.[^.]+\.tmp")


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_temps(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.pid{os.getpid()}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        # by name, not by `tmp`: an interrupt can come between mkstemp creating the file and returning
        remove_temps(path.parent, os.getpid())
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power loss
    finally:
        os.close(folder)


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


def write_all(out: Path, files: dict[str, bytes]) -> None:
    """Write each file of `files` (name → bytes) into the folder `out`, atomically, in name order."""
    for name in sorted(files):
        write_atomic(out / name, files[name])

"""Writing files whole: a reader never sees half a file, and a crash leaves the old one."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from quizgen.errors import InputError

PART_SUFFIX = ".part"  # a file being written: ".<name>.<random>.<pid>.part", renamed when whole


def write_atomic(path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename: never a half file.
    A full disk or a folder that cannot be written is an InputError naming the file (nothing is
    left of it); the temporary file's name holds the writer's process id, so that a later run can
    remove what a killed one left (:func:`remove_leftovers`)."""
    path = Path(path)
    try:
        _write_atomic(path, data)
    except OSError as exc:
        raise unwritable(path, exc) from None


def unwritable(path, exc: OSError) -> Exception:
    """The InputError to raise for ``exc`` writing ``path`` where it says what a person can do
    (a full disk, a read-only folder), else ``exc`` itself."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError(path, "the disk is full: it was not written (no half-written file is left); free some "
                                "space and run the command again")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return InputError(path, f"cannot be written ({exc.strerror}): its folder is read-only to quizgen")
    return exc


def remove_leftovers(folder) -> list:
    """Remove the temporary files a killed quizgen left in ``folder`` (those of processes no longer
    running); returns their paths."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        found = re.fullmatch(r"\..+\.(\d+)\.part", name)
        if found and not _running(int(found.group(1))):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(Path(folder) / name)
            except OSError:
                pass
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) writes nothing more
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _write_atomic(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{os.getpid()}{PART_SUFFIX}", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 is for the temporary name only
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise

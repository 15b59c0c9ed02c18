"""Writing files whole: a reader never sees half a file, and a crash leaves the old one."""

from __future__ import annotations

import errno
import os
import re
import stat
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


def read_regular_file(path, max_bytes: int | None = None, too_large: str = "") -> bytes:
    """The bytes of a user's file; InputError naming it when it is missing, a folder, not a regular
    file (a device like /dev/zero never ends, a named pipe may never send anything) or larger than
    ``max_bytes`` (``too_large`` then says why that is the limit)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(path, "no such file" + (" (a symbolic link to a file that is gone)"
                                                 if path.is_symlink() else "")) from None
    except NotADirectoryError:
        raise InputError(path, "no such file (a part of the path is not a folder)") from None
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "is not a regular file (a device or a named pipe?); give the file itself")
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError(path, f"the file is {info.st_size / 2**20:.1f} MB; at most {max_bytes / 2**20:.1f} MB "
                               f"is read{too_large} (is it the right file?)")
    try:
        with open(path, "rb") as handle:
            # a file that grows while it is read is read no further than the limit
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(path, f"grew past {max_bytes / 2**20:.1f} MB while it was read{too_large}")
    return data

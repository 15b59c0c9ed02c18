"""Writing files whole: a reader never sees half a file, and a crash leaves the old one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from quizgen.errors import InputError


def write_atomic(path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename: never a half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
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

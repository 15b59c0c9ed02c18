"""Real file systems for fault tests: a read-only view of a folder and a small tmpfs that fills up.

Both need ``mount`` (root, and a kernel that lets this machine mount). Where that is not permitted
the test skips, saying why; under CI (which runs as root on a fresh machine) a skip is a failure.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _mount(*args) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) for a real read-only or full file system")
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")


def _unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


@contextlib.contextmanager
def read_only_view(folder: Path):
    """``folder`` bind-mounted read-only at a new path (root cannot write there either)."""
    where = Path(tempfile.mkdtemp(prefix="ro-view-"))
    _mount("--bind", str(folder), str(where))
    try:
        _mount("-o", "remount,ro,bind", str(where))
        yield where
    finally:
        _unmount(where)
        where.rmdir()


@contextlib.contextmanager
def small_tmpfs(size: str):
    """A new tmpfs of ``size`` (such as ``"2m"``), unmounted afterwards."""
    where = Path(tempfile.mkdtemp(prefix="small-fs-"))
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where))
    try:
        yield where
    finally:
        _unmount(where)
        where.rmdir()


def fill(folder: Path, leave: int = 0) -> None:
    """Fill ``folder``'s file system until at most ``leave`` bytes are free."""
    with open(folder / "filler", "wb") as handle:
        block = b"\0" * 4096
        try:
            while True:
                stat = os.statvfs(folder)
                if stat.f_bavail * stat.f_frsize <= leave:
                    break
                handle.write(block)
                handle.flush()
        except OSError:
            pass

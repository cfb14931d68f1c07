"""Giving a finished temporary file its final name only if nothing has that name yet.

A check that the name is free followed by a rename is a race: a file (or a symbolic link to one)
created in between would be replaced. :func:`publish_new` makes the name in one step that fails
when it exists, as anything, a dangling symbolic link included, and never follows a link there:

1. ``renameat2(..., RENAME_NOREPLACE)`` (Linux 3.15+, glibc 2.28+), through ctypes;
2. else a hard link (``link`` fails on an existing name), then the temporary name is removed;
3. else (a file system without hard links) the name is created with ``O_CREAT | O_EXCL |
   O_NOFOLLOW`` and the data copied; a failed copy removes it again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from functools import cache

RENAME_NOREPLACE = 1
AT_FDCWD = -100
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM, errno.EXDEV}
"""errno values meaning "this way of making the name is not available here", so try the next."""


def publish_new(temporary: str, target: str) -> None:
    """Move ``temporary`` to the new name ``target``; :class:`FileExistsError` if ``target`` exists.

    On success ``temporary`` no longer exists; on failure it is left for the caller to remove.
    """
    if _rename_noreplace(temporary, target):
        return
    try:
        os.link(temporary, target, follow_symlinks=False)
    except OSError as error:
        if error.errno not in _UNSUPPORTED:
            raise
        _copy_exclusive(temporary, target)
    os.unlink(temporary)


def _rename_noreplace(temporary: str, target: str) -> bool:
    """True when renamed; False when ``renameat2`` is missing or not supported for these names."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(temporary), AT_FDCWD, os.fsencode(target), RENAME_NOREPLACE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), target)


@cache
def _renameat2():
    """libc's ``renameat2``, or None where the C library has none (macOS, musl before 1.2.4)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return None
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        function.restype = ctypes.c_int
    return function


def _copy_exclusive(temporary: str, target: str) -> None:
    """Create ``target`` exclusively (no link followed) and copy ``temporary`` into it."""
    mode = os.stat(temporary).st_mode & 0o7777
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(descriptor, "wb") as destination, open(temporary, "rb") as source:
            shutil.copyfileobj(source, destination)
    except BaseException:
        os.unlink(target)
        raise

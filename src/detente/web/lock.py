"""One server per data folder: an exclusive lock on ``detente.lock`` in the folder.

Two servers on one store would each mark the other's running runs as interrupted when they start
(:meth:`detente.web.store.Store.fail_unfinished`). The lock is an advisory ``flock`` (POSIX
``fcntl``): the kernel releases it when the holding process ends, however it ends, so a crashed server
never leaves a stale lock behind. The file records the holder's process id, for the message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from detente.errors import BusyError

LOCK_NAME = "detente.lock"


class FolderLock:
    """The exclusive lock on a data folder, taken on creation (raising :class:`BusyError` when another
    server holds it) and released by :meth:`release`, when the object is collected, or when the
    process ends."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / LOCK_NAME
        self._handle: IO[str] | None = None
        self.acquire()

    def acquire(self) -> None:
        """Take the lock (nothing to do when this object holds it already)."""
        import fcntl

        if self._handle is not None:
            return
        handle: IO[str] = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            pid = handle.read().strip()
            handle.close()
            holder = f" (process {pid})" if pid.isdigit() else ""
            raise BusyError(
                f"the data folder {self.folder} is in use by another detente server{holder}; "
                "stop that server, or start this one with another --data folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the folder up (closing the file releases the lock); a second call does nothing."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

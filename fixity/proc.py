"""Child-process hygiene: no child outlives its parent, inherits a lock, or sees a secret.

Every process the product starts goes through this module:

* forked hash workers (fixity.digest) call :func:`worker_init` first: the kernel
  kills them with SIGKILL when their parent dies (``PR_SET_PDEATHSIG``), so a
  ``kill -9`` of ``repair``/``verify``/``audit run`` leaves no orphan;
* ``flock`` locks belong to the open file description, which ``fork`` shares: a
  lock fd registered with :func:`hold_lock_fd` is closed in every forked child
  (``os.register_at_fork``), so a worker never keeps an AIP or staging lock alive;
* external programs (ClamAV, the ``[alerts] command`` hook, a vulnerability
  scanner) are started by :func:`run` with :func:`child_env` — a minimal
  environment without the key passphrase or anything that looks like a secret —
  and with the same parent-death signal.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import signal
import subprocess
import sys
import threading
from typing import Any, Callable, Mapping, Sequence

#: Variables a child may inherit (exact names, or a prefix ending in ``_``); everything else is dropped.
PASSED_NAMES = ("PATH", "LANG", "LANGUAGE", "TZ", "HOME", "TMPDIR", "USER", "LOGNAME")
PASSED_PREFIXES = ("LC_",)
#: A name matching this is never passed on, even if listed above (CASEARCHIVE_KEY_PASSPHRASE, API_TOKEN…).
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH", re.IGNORECASE)

_PR_SET_PDEATHSIG = 1
_LOCK_FDS: set[int] = set()
_LOCK_FDS_GUARD = threading.Lock()


def child_env(base: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: locale, time zone, PATH, HOME, TMPDIR — no secrets.

    ``extra`` is added as given (the caller names what the child needs), but a
    secret-looking name is refused there too: a passphrase never leaves this process
    through the environment.
    """
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items()
           if (k in PASSED_NAMES or k.startswith(PASSED_PREFIXES)) and not SECRET_NAME.search(k)}
    env.setdefault("PATH", os.defpath)
    for key, value in (extra or {}).items():
        if SECRET_NAME.search(key):
            raise ValueError(f"refusing to pass {key} to a child process")
        env[key] = value
    return env


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl: Callable[..., int] = libc.prctl
    except (OSError, AttributeError):
        return None
    return prctl


# Resolved once in the parent: a forked child (or a preexec function) must not load libraries.
_PRCTL = _libc_prctl()


def die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when ``parent`` dies; exit now if it already has.

    The check after ``prctl`` closes the race where the parent died between ``fork``
    and ``prctl``: the child was then re-parented and no signal would ever come.
    Without ``prctl`` (not Linux) the check still catches a parent that is already gone.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def worker_init(parent: int) -> None:
    """Initializer of every forked worker pool (``initargs=(os.getpid(),)`` in the parent)."""
    die_with_parent(parent)


def hold_lock_fd(fd: int) -> None:
    """Register an fd holding an ``flock`` lock: forked children close their copy at once."""
    with _LOCK_FDS_GUARD:
        _LOCK_FDS.add(fd)


def release_lock_fd(fd: int) -> None:
    """Forget ``fd`` (call before closing it, so a reused number is never closed by mistake)."""
    with _LOCK_FDS_GUARD:
        _LOCK_FDS.discard(fd)


def _close_lock_fds_in_child() -> None:
    # The child's copy shares the open file description: as long as it is open the
    # flock stays held, even after the parent is gone.
    for fd in list(_LOCK_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()


def _reinit_guard_in_child() -> None:
    global _LOCK_FDS_GUARD
    _LOCK_FDS_GUARD = threading.Lock()  # another thread may have held it at the fork


os.register_at_fork(after_in_child=_reinit_guard_in_child)
os.register_at_fork(after_in_child=_close_lock_fds_in_child)


def _preexec(parent: int) -> Callable[[], None]:
    def hook() -> None:
        # Runs between fork and exec: only a pre-resolved libc call and getppid, no imports.
        die_with_parent(parent)
    return hook


def run(argv: Sequence[str], *, env_extra: Mapping[str, str] | None = None, **kwargs: Any) -> "subprocess.CompletedProcess[Any]":
    """``subprocess.run`` with a minimal environment and the parent-death signal.

    The lock fds are not inherited either: ``close_fds`` (the default) closes them at exec.
    """
    if "env" in kwargs or "preexec_fn" in kwargs:
        raise TypeError("fixity.proc.run sets env and preexec_fn itself")
    return subprocess.run(list(argv), env=child_env(extra=env_extra), preexec_fn=_preexec(os.getpid()), **kwargs)


__all__ = ["child_env", "die_with_parent", "worker_init", "hold_lock_fd", "release_lock_fd", "run",
           "PASSED_NAMES", "SECRET_NAME"]

"""Named fault-injection points for crash tests.

When the environment variable CASEARCHIVE_FAILPOINT names a point, reaching it
kills the process with SIGKILL — the same as ``kill -9`` at that instant, with
no cleanup handlers run.  Unset (always, outside tests) it costs one lookup.
"""
from __future__ import annotations

import os
import signal

ENV = "CASEARCHIVE_FAILPOINT"


def hit(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)

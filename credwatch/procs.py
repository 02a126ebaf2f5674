"""Is a process still running? Used to clean up temp folders of killed runs."""
from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True while `pid` runs. A zombie (killed, not yet reaped by its parent)
    counts as dead: its temp files will never be finished."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            # Field 3 is the state; the command name in field 2 may hold spaces, so split after ')'.
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True

"""The oracle of the navigation tests: a straight replay, stopped at each count.

Seeking and reverse execution restore snapshots and replay forwards; their
state at a count must be what a replay that never went back has there. This
runs that straight replay once, with replay breakpoints at the counts, and
returns the state hash `info replay` reports at each.
"""
import re
import sys
import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guest_session import HmpPipe as Monitor  # noqa: E402


def field(text, name):
    """The value after `name:` or `name =` in a monitor reply, or None."""
    m = re.search(name + r"\s*[:=]\s*(\S+)", text)
    return m.group(1) if m else None


def straight_replay_hashes(cmdline, counts):
    """Replays `cmdline` (a replay with `-monitor stdio`) without snapshots,
    pausing at each of the sorted `counts`, then lets it run to the end.

    Returns (hashes, diag, rc, stderr): hashes maps each count reached to its
    state hash; diag lists what went wrong (empty when every stop was exact)."""
    hashes, diag = {}, ""
    mon = Monitor(cmdline + ["-rr-snapshot-interval", "0"], f"replay_break {counts[0]}\n".encode())
    try:
        mon.read_until_prompt()  # the banner's prompt
        mon.read_until_prompt()  # the first replay_break's
        for i, c in enumerate(counts):
            if i:
                out = mon.cmd(f"replay_break {c}")
                if out.strip():
                    diag += f"replay_break {c}: {out}\n"
                mon.cmd("cont")
            if not mon.wait_paused():
                diag += f"never paused at {c}\n"
                break
            info = mon.cmd("info replay")
            at = re.search(r"instruction count = (\d+)", info)
            if not at or int(at.group(1)) != c:
                diag += f"stopped at {at.group(1) if at else '?'} instead of {c}\n"
            hashes[c] = field(info, "State hash")
        mon.cmd("cont")
    except (TimeoutError, EOFError) as e:
        diag += str(e)
    rc, err = mon.finish()
    return hashes, diag, rc, err

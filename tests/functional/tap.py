"""TAP output for the Python functional tests: report() prints one result
(with the last lines of its diagnosis when it failed), skip() one the host
cannot make, plan() the plan and returns the exit status, done() prints the
plan and exits with it."""
import sys

n = failed = 0


def report(ok, desc, why=""):
    global n, failed
    n += 1
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    if not ok:
        for line in str(why).splitlines()[-12:]:
            print("# " + line)
    sys.stdout.flush()
    return ok


def plan():
    print(f"1..{n}")
    return 1 if failed else 0


def done():
    sys.exit(plan())


def skip(desc, reason):
    """A check this host cannot make (TAP's SKIP directive): counted as passed, with the reason."""
    global n
    n += 1
    print(f"ok {n} - {desc} # SKIP {reason}")
    sys.stdout.flush()

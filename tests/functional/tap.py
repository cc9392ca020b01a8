"""TAP output for the Python functional tests: report() prints one result,
done() the plan and the exit status."""
import sys

n = failed = 0


def report(ok, desc, why=""):
    global n, failed
    n += 1
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    if not ok and why:
        print("# " + str(why).replace("\n", "\n# "))
    sys.stdout.flush()
    return ok


def done():
    print(f"1..{n}")
    sys.exit(1 if failed else 0)

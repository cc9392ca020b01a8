# Sourced by the bare-metal guest tests: TAP counting and the record/replay
# check they share. For check_record_replay_like_plain the sourcing script
# makes $tmp and defines run OUT ARGS... (one run of its guest, console to
# OUT, stderr to OUT.err).
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check NAME CONDITION [DIAGNOSTIC]: CONDITION is evaluated by the shell.
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }

# The guest recorded and replayed prints exactly what its plain run printed
# into $tmp/a: devices answer a hostile guest the same way every time.
check_record_replay_like_plain() {
  run "$tmp/b" -icount shift=0,rr=record,rrfile="$tmp/rr"; local rc1=$?
  run "$tmp/c" -icount shift=0,rr=replay,rrfile="$tmp/rr"; local rc2=$?
  if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/b" "$tmp/c"; then
    ok "recorded and replayed: the same output as the plain run"
  else
    not_ok "recorded and replayed: the same output as the plain run" \
      "rc $rc1/$rc2 $(cat "$tmp/b" "$tmp/c" "$tmp/c.err" | tail -5)"
  fi
}

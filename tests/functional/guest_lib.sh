# Sourced by the functional tests that boot the Linux test guest: TAP
# helpers (ok, not_ok, counters n and failed) and the guest's files in
# $kernel and $initrd (tests/guest/build-guest.sh builds them on first use,
# about 15 minutes on 2 cores, then they come from the cache).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../guest" && pwd)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2"; }

if ! paths=$("$here/build-guest.sh" 2>/tmp/rewind-guest-build.$$.log); then
  not_ok "build the test guest" "$(tail -5 /tmp/rewind-guest-build.$$.log | tr '\n' '|')"
  rm -f /tmp/rewind-guest-build.$$.log
  echo "1..$n"; exit 1
fi
rm -f /tmp/rewind-guest-build.$$.log
kernel=$(sed -n 's/^KERNEL=//p' <<<"$paths")
initrd=$(sed -n 's/^INITRD=//p' <<<"$paths")

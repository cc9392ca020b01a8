#!/usr/bin/env bash
# Linux workload benchmark: boot the test guest (tests/guest), run a CPU-bound
# shell workload that reads no input (rewind_run=: generate a file, checksum,
# compress, sort and sum it, a tight shell loop), power off. Whole-process
# times, QEMU and rewind side by side, modes alternating within each round:
#   qemu plain, qemu -icount, qemu record, rewind plain, rewind -icount,
#   rewind record, rewind replay (of this round's recording)
#   [--interp: rewind -accel tcg,jit=off -icount, the interpreter, for reference]
# Prints medians of wall time and of CPU time (user+sys: less disturbed by other
# work on a loaded machine) and each mode's ratio to QEMU plain.
# Usage: bench/run-linux-cpu.sh [-n RUNS] [-s N] [--interp]
#   -n RUNS  rounds (default 3); -s N workload size (default 200000 lines)
# Env: REWIND (default build/rewind), QEMU (default qemu-system-riscv64),
#      SHIFT (icount shift, default 7), TIMEOUT seconds per run (default 600).
# Exit: 0 ok; 1 a run failed or printed other results than the first QEMU run.
set -u
cd "$(dirname "$0")/.." || exit 1

RUNS=3 SIZE=200000 INTERP=0
while [ $# -gt 0 ]; do
    case "$1" in
        -n) RUNS=$2; shift 2 ;;
        -s) SIZE=$2; shift 2 ;;
        --interp) INTERP=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done
REWIND=${REWIND:-build/rewind}
QEMU=${QEMU:-qemu-system-riscv64}
SHIFT=${SHIFT:-7}
TIMEOUT=${TIMEOUT:-600}
[ -x "$REWIND" ] || { echo "rewind not found at '$REWIND' (build it, or set REWIND)" >&2; exit 1; }

paths=$(tests/guest/build-guest.sh) || { echo "the test guest is not available" >&2; exit 1; }
kernel=$(sed -n 's/^KERNEL=//p' <<<"$paths")
initrd=$(sed -n 's/^INITRD=//p' <<<"$paths")

# The workload: deterministic data, busybox tools, results printed so that
# every run can be checked against the first. No double quotes (kernel
# command line).
work="seq 1 $SIZE > /tmp/a; md5sum /tmp/a; gzip -c /tmp/a | md5sum; sort -r /tmp/a | md5sum;"
work="$work awk '{ s += \$1 * 3 } END { print s }' /tmp/a;"
work="$work i=0; while [ \$i -lt $((SIZE / 4)) ]; do i=\$((i + 1)); done; echo loop \$i"

DIR=$(mktemp -d /tmp/rewind-linux-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
BASE=(-M virt -m 256M -nographic -bios default -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 rewind_run=\"$work\"")
IC="shift=$SHIFT"

MODES=(qemu-plain qemu-icount qemu-record rewind-plain rewind-icount rewind-record rewind-replay)
[ "$INTERP" = 1 ] && MODES+=(rewind-interp)

# run_one MODE ROUND: appends "MODE wall cpu ok" to $RES.
RES=$DIR/results
: >"$RES"
run_one() {
    local mode=$1 r=$2 emu args=()
    case $mode in
        qemu-plain)    emu=$QEMU ;;
        qemu-icount)   emu=$QEMU; args=(-icount "$IC") ;;
        qemu-record)   emu=$QEMU; args=(-icount "$IC,rr=record,rrfile=$DIR/qemu.$r.rr") ;;
        rewind-plain)  emu=$REWIND ;;
        rewind-icount) emu=$REWIND; args=(-icount "$IC") ;;
        rewind-record) emu=$REWIND; args=(-icount "$IC,rr=record,rrfile=$DIR/rewind.$r.rr") ;;
        rewind-replay) emu=$REWIND; args=(-icount "$IC,rr=replay,rrfile=$DIR/rewind.$r.rr") ;;
        rewind-interp) emu=$REWIND; args=(-accel tcg,jit=off -icount "$IC") ;;
    esac
    local out=$DIR/$mode.$r.out t0 t1 ok=1
    t0=$(date +%s.%N)
    timeout "$TIMEOUT" /usr/bin/time -o "$DIR/time" -f "%U %S" "$emu" "${BASE[@]}" "${args[@]}" \
        </dev/null 2>&1 | tr -d '\r' >"$out"
    t1=$(date +%s.%N)
    grep -q '^rewind-guest: exit=0' "$out" || ok=0
    # The workload's results: the md5sum lines, the sum and the loop count.
    grep -E '^[0-9a-f]{32}  |^[0-9]+$|^loop ' "$out" >"$out.results"
    [ -f "$DIR/first.results" ] || cp "$out.results" "$DIR/first.results"
    cmp -s "$out.results" "$DIR/first.results" || ok=0
    [ -s "$out.results" ] || ok=0
    local cpu; cpu=$(awk '{ print $1 + $2 }' "$DIR/time" 2>/dev/null)
    echo "$mode $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') ${cpu:-0} $ok" >>"$RES"
    if [ $ok = 0 ]; then
        echo "$mode run $r FAILED (output in the table's note); tail:" >&2
        tail -5 "$out" >&2
    fi
}

echo "bench: Linux guest, workload size $SIZE, $RUNS rounds, icount $IC" >&2
for ((r = 1; r <= RUNS; r++)); do
    for m in "${MODES[@]}"; do run_one "$m" "$r"; done
done

median() { # COLUMN MODE
    awk -v c="$1" -v m="$2" '$1 == m { print $c }' "$RES" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
qw=$(median 2 qemu-plain) qc=$(median 3 qemu-plain)
printf '%-15s %8s %8s %14s %14s %s\n' mode "wall s" "cpu s" "wall/qemu-pl" "cpu/qemu-pl" failed
fail=0
for m in "${MODES[@]}"; do
    w=$(median 2 "$m") c=$(median 3 "$m")
    bad=$(awk -v m="$m" '$1 == m && $4 == 0 { n++ } END { print n + 0 }' "$RES")
    [ "$bad" = 0 ] || fail=1
    awk -v m="$m" -v w="$w" -v c="$c" -v qw="$qw" -v qc="$qc" -v b="$bad" 'BEGIN {
        printf "%-15s %8.2f %8.2f %14.3f %14.3f %s\n", m, w, c, w / qw, c / qc, b }'
done
echo "(medians of $RUNS; ratios are time / QEMU plain's time: <= 1 means at least as fast as QEMU without icount)"
echo "guest results (every run must print these):"
sed 's/^/  /' "$DIR/first.results"
exit $fail

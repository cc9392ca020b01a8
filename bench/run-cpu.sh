#!/usr/bin/env bash
# CPU benchmark: the same bare-metal program in qemu-system-riscv64 and in rewind.
# Usage: bench/run-cpu.sh [-b BUILDDIR] [-n RUNS] [-i ITERS] [--qemu-only] [--build-only] [--interp]
#        (rewind runs with -icount shift=0, recording with rr=record, and without icount;
#        --interp adds -accel tcg,jit=off -icount shift=0, the interpreter, for reference)
# Env:   REWIND (default build/rewind), QEMU (default qemu-system-riscv64),
#        CROSS_CC (default riscv64-linux-gnu-gcc), TIMEOUT seconds per run (default 300)
# Exit:  0 ok; 1 rewind failed / disagrees with QEMU; 2 rewind missing (QEMU numbers printed);
#        3 build or QEMU failure.
set -u
cd "$(dirname "$0")/.." || exit 3

BUILD=build/bench RUNS=3 ITERS= QEMU_ONLY=0 BUILD_ONLY=0 INTERP=0
while [ $# -gt 0 ]; do
    case "$1" in
        -b) BUILD=$2; shift 2 ;;
        -n) RUNS=$2; shift 2 ;;
        -i) ITERS=$2; shift 2 ;;
        --qemu-only) QEMU_ONLY=1; shift ;;
        --build-only) BUILD_ONLY=1; shift ;;
        --interp) INTERP=1; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 3 ;;
    esac
done
REWIND=${REWIND:-build/rewind}
QEMU=${QEMU:-qemu-system-riscv64}
CC=${CROSS_CC:-riscv64-linux-gnu-gcc}
TIMEOUT=${TIMEOUT:-300}

# ---- build
mkdir -p "$BUILD" || exit 3
ELF=$BUILD/cpu.elf
CFLAGS="-O2 -march=rv64gc -mabi=lp64d -ffreestanding -nostdlib -nostartfiles -static
        -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror
        -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T bench/cpu/link.ld"
[ -n "$ITERS" ] && CFLAGS="$CFLAGS -DITERS=$ITERS"
# shellcheck disable=SC2086
$CC $CFLAGS -o "$ELF" bench/cpu/crt0.S bench/cpu/bench.c || { echo "build failed" >&2; exit 3; }

[ "$BUILD_ONLY" = 1 ] && exit 0

ARGS=(-M virt -bios none -nographic -kernel "$ELF")

# run_one NAME EMULATOR [extra args...]: appends "NAME wall rc instr checksum-all" to $RES,
# keeps the output in $BUILD/NAME.N.out
RES=$BUILD/results.txt; : >"$RES"; rm -f "$BUILD"/*.out
declare -A NRUN
run_one() {
    local name=$1 emu=$2; shift 2
    local n=$(( ${NRUN[$name]:-0} + 1 )); NRUN[$name]=$n
    local out=$BUILD/$name.$n.out t0 t1 rc
    t0=$(date +%s.%N)
    timeout "$TIMEOUT" /usr/bin/time -o "$out.time" -f "%U %S" "$emu" "${ARGS[@]}" "$@" </dev/null >"$out.raw" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    tr -d '\r' <"$out.raw" >"$out"; rm -f "$out.raw"
    local instr; instr=$(awk '/^instructions:/ {print $2}' "$out")
    local cpu; cpu=$(awk '{print $1 + $2}' "$out.time" 2>/dev/null); rm -f "$out.time"
    echo "$name $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') $rc ${instr:-none} ${cpu:-0}" >>"$RES"
}
checksums() { grep '^checksum ' "$1"; }
median() { # median wall (or column $2) of NAME
    awk -v n="$1" -v c="${2:-2}" '$1==n {print $c}' "$RES" | sort -g |
        awk '{v[NR]=$1} END{ if (NR==0) exit; if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2 }'
}

HAVE_REWIND=0
if [ "$QEMU_ONLY" = 0 ]; then
    if [ -x "$REWIND" ]; then HAVE_REWIND=1
    else echo "rewind: NOT FOUND at '$REWIND' (build it, or set REWIND=path); running QEMU only" >&2; fi
fi

echo "bench: $ELF (ITERS=${ITERS:-default from bench.c}), $RUNS runs of each, alternating" >&2
run_mode() { # NAME ROUND
    case $1 in
        qemu-icount) run_one qemu-icount "$QEMU" -icount shift=0 ;;
        qemu-noicount) run_one qemu-noicount "$QEMU" ;;
        rewind-icount) run_one rewind-icount "$REWIND" -icount shift=0 ;;
        rewind-record) run_one rewind-record "$REWIND" -icount "shift=0,rr=record,rrfile=$BUILD/record.$2.rr" ;;
        rewind-noicount) run_one rewind-noicount "$REWIND" ;;
        rewind-interp) run_one rewind-interp "$REWIND" -accel tcg,jit=off -icount shift=0 ;;
    esac
}
MODES=(qemu-icount qemu-noicount)
[ $HAVE_REWIND = 1 ] && MODES+=(rewind-icount rewind-record rewind-noicount)
[ $HAVE_REWIND = 1 ] && [ "$INTERP" = 1 ] && MODES+=(rewind-interp)
# The order rotates from round to round, so that no mode always follows the
# same one (a run right after the long QEMU -icount run was measured faster
# or slower than its neighbours on these shared machines).
for ((r = 1; r <= RUNS; r++)); do
    for ((k = 0; k < ${#MODES[@]}; k++)); do
        run_mode "${MODES[(k + r - 1) % ${#MODES[@]}]}" "$r"
    done
done
rm -f "$BUILD"/record.*.rr

# ---- validate: QEMU with icount is the reference
REF=$BUILD/qemu-icount.1.out
fail_qemu=0
for f in "$BUILD"/qemu-*.out; do
    if ! grep -q '^checksum all:' "$f" || ! diff -q <(checksums "$REF") <(checksums "$f") >/dev/null; then
        echo "QEMU run $f: bad or inconsistent output" >&2; fail_qemu=1
    fi
done
if awk '$1 ~ /^qemu/ && $3 != 0 {bad=1} END{exit !bad}' "$RES"; then
    echo "QEMU exited non-zero (see $BUILD/qemu-*.out)" >&2; fail_qemu=1
fi
REF_INSTR=$(awk '$1=="qemu-icount" {print $4; exit}' "$RES")
if awk -v r="$REF_INSTR" '$1=="qemu-icount" && $4 != r {bad=1} END{exit !bad}' "$RES"; then
    echo "QEMU icount instruction counts differ between runs" >&2; fail_qemu=1
fi
[ $fail_qemu = 1 ] && { cat "$RES" >&2; exit 3; }

fail_rw=0
if [ $HAVE_REWIND = 1 ]; then
    RW_EXACT="rewind-icount rewind-record"
    [ "$INTERP" = 1 ] && RW_EXACT="$RW_EXACT rewind-interp"
    for name in $RW_EXACT rewind-noicount; do
    for ((r = 1; r <= RUNS; r++)); do
        f=$BUILD/$name.$r.out
        rc=$(awk -v n=$r -v m=$name '$1==m {if (++i==n) print $3}' "$RES")
        ins=$(awk -v n=$r -v m=$name '$1==m {if (++i==n) print $4}' "$RES")
        # Without icount, rdinstret still counts exactly in rewind, but the
        # run is not required to be exact: only its checksums are compared.
        [ "$name" = rewind-noicount ] && ins=$REF_INSTR
        if [ "$rc" != 0 ]; then
            echo "$name FAILED: run $r exited with status $rc$([ "$rc" = 124 ] && echo ' (timeout)')" >&2; fail_rw=1
        fi
        if ! diff <(checksums "$REF") <(checksums "$f") >&2; then
            echo "$name FAILED: run $r checksums differ from QEMU (above: < qemu, > rewind)" >&2; fail_rw=1
        fi
        if [ "$ins" != "$REF_INSTR" ]; then
            echo "$name FAILED: run $r instret count $ins != QEMU's $REF_INSTR" >&2; fail_rw=1
        fi
        [ $fail_rw = 1 ] && { echo "--- tail of $f:" >&2; tail -5 "$f" >&2; break; }
    done
    done
fi

# ---- table. MIPS = guest instructions in the measured region / median wall time of the
# whole process. QEMU without icount returns host ticks from rdinstret, so every row uses the
# (exact, deterministic) count from the QEMU icount run.
q=$(median qemu-icount)
qp=$(median qemu-noicount)
qpc=$(median qemu-noicount 5)
printf '%-24s %7s %14s %7s %8s %10s %7s %10s\n' emulator "wall s" "guest instr" MIPS "vs QEMU" "vs plain" "cpu s" "cpu plain"
row() { # label name
    awk -v l="$1" -v w="$(median "$2")" -v c="$(median "$2" 5)" -v i="$REF_INSTR" -v q="$q" -v qp="$qp" -v qpc="$qpc" 'BEGIN{
        printf "%-24s %7.3f %14d %7.1f %8.3f %10.3f %7.3f %10.3f\n", l, w, i, i/w/1e6, q/w, qp/w, c, qpc/c }'
}
row "qemu -icount shift=0" qemu-icount
rw_row() { # label name
    if [ $fail_rw = 1 ]; then
        printf '%-24s %7.3f %14s %7s %8s %10s %7s %10s\n' "$1" "$(median "$2")" FAILED - - - - -
    else
        row "$1" "$2"
    fi
}
if [ $HAVE_REWIND = 1 ]; then
    rw_row "rewind -icount shift=0" rewind-icount
    rw_row "rewind rr=record" rewind-record
    rw_row "rewind (no icount)" rewind-noicount
    [ "$INTERP" = 1 ] && rw_row "rewind jit=off -icount" rewind-interp
fi
row "qemu (no icount, ref)" qemu-noicount
echo "(vs QEMU = MIPS / QEMU -icount shift=0 MIPS; vs plain = MIPS / QEMU without icount MIPS;"
echo " cpu s = user+sys CPU time, steadier than wall time on a loaded machine; cpu plain ="
echo " QEMU without icount's CPU time / this CPU time. >1 means faster. rr=record is"
echo " -icount shift=0,rr=record.)"

[ $HAVE_REWIND = 0 ] && [ $QEMU_ONLY = 0 ] && { echo "rewind: not run (missing at '$REWIND')" >&2; exit 2; }
[ $fail_rw = 1 ] && exit 1
exit 0

#!/bin/sh
# Builds a fuzz target with clang's libFuzzer (+ ASan, UBSan) in a meson
# build directory of its own (build-fuzz/, -Dfuzzer=true: the core library is
# compiled with -fsanitize=fuzzer-no-link,address,undefined and
# tests/fuzz/meson.build links build-fuzz/tests/fuzz/TARGET_fuzz), then runs
# it on its checked-in corpus.
#
#   [TARGET=rrfile|snapshot|qcow2] tests/fuzz/build-and-run.sh [SECONDS] [extra libFuzzer flags...]
#
# TARGET (default rrfile) picks the target (tests/fuzz/meson.build lists
# them; the corpus is tests/fuzz/corpus for rrfile, tests/fuzz/TARGET_corpus
# for the others). SECONDS (default 60) is passed as -max_total_time. New
# inputs go to build-fuzz/TARGET_fuzz_corpus (the checked-in corpus stays untouched;
# minimize into it with `-merge=1`, see below), crashes to
# tests/fuzz/crashes/. Environment: CXX_FUZZ (default clang++), OUT (default
# build-fuzz), JOBS (parallel fuzzing jobs, default 1), BUILD_JOBS (ninja -j,
# default 1). Without clang++ the script installs Debian's clang package
# (apt-get, as scripts/install-deps.sh does), or set CXX_FUZZ.
#
# Minimizing the corpus after a run:
#   mkdir /tmp/min && build-fuzz/tests/fuzz/rrfile_fuzz -merge=1 /tmp/min \
#       tests/fuzz/corpus build-fuzz/rrfile_fuzz_corpus
#   and replace tests/fuzz/corpus with /tmp/min (keep files < 8 KiB).
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-60}
[ $# -gt 0 ] && shift
CXX_FUZZ=${CXX_FUZZ:-clang++}
OUT=${OUT:-build-fuzz}
TARGET=${TARGET:-rrfile}
case $TARGET in
  rrfile) SEEDS=tests/fuzz/corpus ;;
  *) SEEDS=tests/fuzz/${TARGET}_corpus ;;
esac
JOBS=${JOBS:-1}
BUILD_JOBS=${BUILD_JOBS:-1}
case $OUT in /*) ;; *) OUT="$(pwd)/$OUT" ;; esac

if ! command -v "$CXX_FUZZ" >/dev/null; then
  if [ "$CXX_FUZZ" = clang++ ] && command -v apt-get >/dev/null; then
    echo "build-and-run: installing clang (libFuzzer)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang >/dev/null
  else
    echo "build-and-run: $CXX_FUZZ not found (install clang, or set CXX_FUZZ)" >&2
    exit 1
  fi
fi

# The build directory: configured once with clang and -Dfuzzer=true (the
# unit and functional tests are not built there).
if [ ! -d "$OUT/meson-private" ]; then
  echo "configuring $OUT"
  CXX="$CXX_FUZZ" meson setup "$OUT" -Dfuzzer=true -Dtests=false -Dwerror=false \
    --buildtype=plain -Doptimization=1 -Ddebug=true >"$OUT.setup.log" 2>&1 ||
    { cat "$OUT.setup.log" >&2; exit 1; }
  rm -f "$OUT.setup.log"
fi
echo "building $OUT/tests/fuzz/${TARGET}_fuzz"
nice ninja -C "$OUT" -j"$BUILD_JOBS" "tests/fuzz/${TARGET}_fuzz"
FUZZ="$OUT/tests/fuzz/${TARGET}_fuzz"
mkdir -p "$OUT/${TARGET}_fuzz_corpus" tests/fuzz/crashes

# -dict: the format's magic strings, so the fuzzer need not find them; "S"
# starts a structured-mode rrfile input (rrfile_fuzz.cc).
DICT="$OUT/${TARGET}.dict"
case $TARGET in
  rrfile) printf '%s\n' 'magic="\x89RWD\x0d\x0a\x1a\x0a"' 'block="RBLK"' 'index="RIDX"' 'trailer="RWDTRAIL"' \
            'version1="\x01\x00\x00\x00"' 'structured="S"' >"$DICT" ;;
  snapshot) printf '%s\n' 'magic="\x89RWS\x0d\x0a\x1a\x0a"' 'version1="\x01\x00\x00\x00"' 'cpu="cpu"' \
              'ram="ram"' >"$DICT" ;;
  qcow2) printf '%s\n' 'magic="QFI\xfb"' 'ext="\xe2\x79\x2a\xca"' 'ext="\x68\x03\xf8\x57"' >"$DICT" ;;
  *) : >"$DICT" ;;
esac

# Parallel jobs write fuzz-N.log into the current directory: run them in $OUT.
PAR=""
[ "$JOBS" -gt 1 ] && PAR="-jobs=$JOBS -workers=$JOBS"
TOP=$(pwd)
cd "$OUT"
exec nice "$FUZZ" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -use_value_profile=1 -dict="$DICT" $PAR \
  -artifact_prefix="$TOP/tests/fuzz/crashes/" -print_final_stats=1 \
  "$@" "$OUT/${TARGET}_fuzz_corpus" "$TOP/$SEEDS"

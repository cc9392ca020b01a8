#!/bin/sh
# Builds the rrfile fuzz target with clang's libFuzzer (+ ASan, UBSan) into
# build-fuzz/ and runs it on tests/fuzz/corpus.
#
#   tests/fuzz/build-and-run.sh [SECONDS] [extra libFuzzer flags...]
#
# SECONDS (default 60) is passed as -max_total_time. New inputs go to
# build-fuzz/rrfile_fuzz_corpus (the checked-in corpus stays untouched;
# minimize into it with `-merge=1`, see tests/fuzz/README below), crashes to
# tests/fuzz/crashes/. Environment: CXX_FUZZ (default clang++), OUT (default
# build-fuzz), JOBS (parallel fuzzing jobs, default 1).
#
# Minimizing the corpus after a run:
#   mkdir /tmp/min && build-fuzz/rrfile_fuzz -merge=1 /tmp/min \
#       tests/fuzz/corpus build-fuzz/rrfile_fuzz_corpus
#   and replace tests/fuzz/corpus with /tmp/min (keep files < 8 KiB).
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-60}
[ $# -gt 0 ] && shift
CXX_FUZZ=${CXX_FUZZ:-clang++}
OUT=${OUT:-build-fuzz}
JOBS=${JOBS:-1}
case $OUT in /*) ;; *) OUT="$(pwd)/$OUT" ;; esac
mkdir -p "$OUT" "$OUT/rrfile_fuzz_corpus" tests/fuzz/crashes

SRCS="tests/fuzz/rrfile_fuzz.cc replay/rrfile.cc replay/event_text.cc"
need=1
if [ -x "$OUT/rrfile_fuzz" ]; then
  need=0
  for s in $SRCS replay/rrfile.h replay/byte_codec.h replay/events.h; do
    [ "$s" -nt "$OUT/rrfile_fuzz" ] && need=1
  done
fi
if [ $need = 1 ]; then
  echo "building $OUT/rrfile_fuzz"
  nice "$CXX_FUZZ" -std=c++20 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. $SRCS -lz -o "$OUT/rrfile_fuzz"
fi

# -dict: the format's magic strings, so the fuzzer need not find them.
DICT="$OUT/rrfile.dict"
cat > "$DICT" <<'D'
magic="\x89RWD\x0d\x0a\x1a\x0a"
block="RBLK"
index="RIDX"
trailer="RWDTRAIL"
version1="\x01\x00\x00\x00"
D

# Parallel jobs write fuzz-N.log into the current directory: run them in $OUT.
PAR=""
[ "$JOBS" -gt 1 ] && PAR="-jobs=$JOBS -workers=$JOBS"
TOP=$(pwd)
cd "$OUT"
exec nice "$OUT/rrfile_fuzz" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -use_value_profile=1 -dict="$DICT" $PAR \
  -artifact_prefix="$TOP/tests/fuzz/crashes/" -print_final_stats=1 \
  "$@" "$OUT/rrfile_fuzz_corpus" "$TOP/tests/fuzz/corpus"

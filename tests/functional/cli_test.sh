#!/usr/bin/env bash
# Command-line behaviour: every user error is one clear line on stderr and a
# non-zero exit, never a crash or a hang; QEMU-style options are accepted.
# TAP output. Usage: cli_test.sh REWIND TCG_ELF DTB
set -u
REWIND=$1 ELF=$2 DTB=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2"; }

# expect_error DESC PATTERN ARGS...: exit status 1, exactly one stderr line matching PATTERN.
expect_error() {
  local desc=$1 pattern=$2; shift 2
  timeout 10 "$REWIND" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$? lines; lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$tmp/err"; then
    ok "$desc"
  else
    not_ok "$desc" "exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err" | tr '\n' '|')"
  fi
}

expect_error "unknown option" "-frobnicate: invalid option" -frobnicate
expect_error "missing option argument" "-m: requires an argument" -m
expect_error "non-option word" "invalid option" virt
expect_error "-m 0" "invalid RAM size" -m 0 -bios none -kernel "$ELF"
expect_error "-m garbage" "invalid RAM size" -m lots -bios none -kernel "$ELF"
expect_error "-m too small" "too small" -m 1M -bios none -kernel "$ELF"
expect_error "unknown machine" "unsupported machine type" -M pc -bios none -kernel "$ELF"
expect_error "missing kernel file" "could not open kernel '$tmp/nope.elf'" -M virt -bios none -kernel "$tmp/nope.elf"
expect_error "missing bios file" "could not open firmware '$tmp/nope.bin'" -M virt -bios "$tmp/nope.bin" -dtb "$DTB"
expect_error "missing dtb file" "could not open device tree" -M virt -bios none -kernel "$ELF" -dtb "$tmp/nope.dtb"
head -c 100 "$ELF" > "$tmp/trunc.elf"
expect_error "truncated ELF" "corrupt ELF" -M virt -bios none -kernel "$tmp/trunc.elf"
printf '\x7fELF\x01\x01\x01' > "$tmp/elf32"; head -c 100 /dev/zero >> "$tmp/elf32"
expect_error "32-bit ELF" "not a 64-bit ELF" -M virt -bios none -kernel "$tmp/elf32"
: > "$tmp/empty"
expect_error "empty kernel" "file is empty" -M virt -bios none -kernel "$tmp/empty"
head -c 64 /dev/urandom > "$tmp/bad.dtb"
expect_error "corrupt dtb" "not a flattened device tree" -M virt -bios none -kernel "$ELF" -dtb "$tmp/bad.dtb"
expect_error "bad -icount shift" "shift must be" -icount shift=99 -bios none -kernel "$ELF"
expect_error "bad -icount key" "invalid parameter 'bogus'" -icount bogus=1 -bios none -kernel "$ELF"
expect_error "unknown -d item" "unknown log item 'nonsense'" -d nonsense -bios none -kernel "$ELF"
expect_error "-D unwritable" "-D $tmp/no/such/dir/log" -d int -D "$tmp/no/such/dir/log" -bios none -kernel "$ELF"
expect_error "-smp 2" "one hart" -smp 2 -bios none -kernel "$ELF"
expect_error "-gdb bad device" "-gdb frob" -gdb frob -bios none -kernel "$ELF"
expect_error "-chardev unknown backend" "'frob' is not a valid char driver name" -chardev frob,id=x -bios none -kernel "$ELF"
expect_error "unknown -device" "-device frobnicator: unknown device (try -device help)" -device frobnicator -bios none -kernel "$ELF"
expect_error "bad -device property" "virtio-rng-device" -device virtio-rng-device,colour=blue -bios none -kernel "$ELF"
expect_error "-chardev duplicate id" "-chardev null,id=c0: duplicate chardev id 'c0'" -chardev null,id=c0 -chardev null,id=c0 -bios none -kernel "$ELF"
expect_error "-chardev unknown property" "invalid parameter 'bogus' for backend 'null'" -chardev null,id=c0,bogus=1 -bios none -kernel "$ELF"
expect_error "-chardev without id" "no id specified" -chardev null -bios none -kernel "$ELF"
expect_error "-serial unknown backend" "-serial frob: 'frob' is not a valid char driver" -serial frob -bios none -kernel "$ELF"
expect_error "-serial chardev:missing" "chardev 'nope' not found" -serial chardev:nope -bios none -kernel "$ELF"
expect_error "-serial tcp client, nobody listening" "could not connect to tcp:127.0.0.1:1" -serial tcp:127.0.0.1:1 -bios none -kernel "$ELF"
expect_error "-serial file: unwritable" "could not open '$tmp/no/such/file'" -serial "file:$tmp/no/such/file" -bios none -kernel "$ELF"
expect_error "stdio twice" "cannot use stdio by multiple character devices" -nographic -serial stdio -bios none -kernel "$ELF"
expect_error "-mon bad mode" "mode must be readline or control" -chardev null,id=m -mon chardev=m,mode=json -bios none -kernel "$ELF"
expect_error "-qmp and -mon on one chardev" "already in use" -chardev null,id=m -mon chardev=m -mon chardev=m,mode=control -bios none -kernel "$ELF"
expect_error "-qmp bad backend" "-qmp frob: 'frob' is not a valid char driver" -qmp frob -bios none -kernel "$ELF"
expect_error "rr without rrfile" "rr=record needs rrfile=FILE" -icount shift=7,rr=record -bios none -kernel "$ELF"
expect_error "rrfile without rr" "needs rr=record or rr=replay" -icount shift=7,rrfile=x.rr -bios none -kernel "$ELF"
expect_error "bad rr mode" "rr must be 'record' or 'replay'" -icount shift=7,rr=rewind,rrfile=x.rr -bios none -kernel "$ELF"
expect_error "rrsnapshot without rr" "rrsnapshot=init: needs rr=record or rr=replay" -icount shift=7,rrsnapshot=init -bios none -kernel "$ELF"
expect_error "-loadvm of a missing snapshot" "-loadvm nosuch: Snapshot 'nosuch' does not exist" -name "cli-$$" -loadvm nosuch -bios none -kernel "$ELF"
expect_error "replay of a missing rrfile" "cannot open rrfile" -icount shift=7,rr=replay,rrfile="$tmp/missing.rr" -bios none -kernel "$ELF"
expect_error "replay of a non-rrfile" "not a rewind recording" -icount shift=7,rr=replay,rrfile="$ELF" -bios none -kernel "$ELF"
expect_error "rr-perturb outside replay" "only applies to a replay" -rr-perturb icount=5,reg=x5 -bios none -kernel "$ELF"
expect_error "record to an unwritable path" "cannot create rrfile" -icount shift=7,rr=record,rrfile=/nonexistent/dir/x.rr -bios none -kernel "$ELF"

# -cpu: what rewind does not implement is refused by name, never ignored.
expect_error "-cpu v=true" "^rewind: -cpu rv64,v=true: the vector extension (V) is not implemented by rewind$" -cpu rv64,v=true -bios none -kernel "$ELF"
expect_error "-cpu h=on" "-cpu rv64,h=on: the hypervisor extension (H) is not implemented by rewind" -cpu rv64,h=on -bios none -kernel "$ELF"
expect_error "-cpu zicond=true" "-cpu rv64,zicond=true: the zicond extension is not implemented by rewind" -cpu rv64,zicond=true -bios none -kernel "$ELF"
expect_error "-cpu Zfh=on" "-cpu rv64,Zfh=on: half-precision floating point (Zfh) is not implemented" -cpu rv64,Zfh=on -bios none -kernel "$ELF"
expect_error "-cpu vlen=256" "-cpu rv64,vlen=256: 'vlen' configures the vector extension (V)" -cpu rv64,vlen=256 -bios none -kernel "$ELF"
expect_error "-cpu unknown property" "^rewind: -cpu rv64,foo=1: unknown CPU property 'foo'" -cpu rv64,foo=1 -bios none -kernel "$ELF"
expect_error "-cpu sv39 (QEMU 8.0's)" "-cpu rv64,sv39=on: unknown CPU property 'sv39' (satp modes are properties from QEMU 8.0 on" -cpu rv64,sv39=on -bios none -kernel "$ELF"
expect_error "-cpu c=1" "-cpu rv64,c=1: 'c' expects on or off" -cpu rv64,c=1 -bios none -kernel "$ELF"
expect_error "-cpu bare key" "-cpu rv64,c: expected key=value format" -cpu rv64,c -bios none -kernel "$ELF"
expect_error "-cpu i=off" "-cpu rv64,i=off: rewind needs the I base ISA" -cpu rv64,i=off -bios none -kernel "$ELF"
expect_error "-cpu D without F" "-cpu rv64,f=off: D extension requires F extension" -cpu rv64,f=off -bios none -kernel "$ELF"
expect_error "-cpu S without U" "-cpu rv64,u=off: setting S extension without U extension is illegal" -cpu rv64,u=off -bios none -kernel "$ELF"
expect_error "-cpu F without Zicsr" "-cpu rv64,Zicsr=off: F extension requires Zicsr" -cpu rv64,Zicsr=off -bios none -kernel "$ELF"
expect_error "-cpu priv_spec=v2" "-cpu rv64,priv_spec=v2: unsupported privilege spec version 'v2'" -cpu rv64,priv_spec=v2 -bios none -kernel "$ELF"
expect_error "-cpu pmu-num=8" "-cpu rv64,pmu-num=8: rewind implements 16 programmable counters" -cpu rv64,pmu-num=8 -bios none -kernel "$ELF"
expect_error "-cpu max" "-cpu max: unsupported CPU model 'max'" -cpu max -bios none -kernel "$ELF"
expect_error "-cpu sifive-u54" "-cpu sifive-u54: unsupported CPU model 'sifive-u54'" -cpu sifive-u54 -bios none -kernel "$ELF"
expect_error "-cpu any,c=off" "-cpu any,c=off: QEMU 7.2's 'any' CPU has a fixed misa" -cpu any,c=off -bios none -kernel "$ELF"
for h in help '?'; do
  timeout 10 "$REWIND" -cpu "$h" >"$tmp/out" 2>"$tmp/err"; rc=$?
  [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$(printf 'any\nrv64')" ] && [ ! -s "$tmp/err" ] &&
    ok "-cpu $h lists the models, exit 0" || not_ok "-cpu $h lists the models, exit 0" "rc=$rc $(head -c 200 "$tmp/out" "$tmp/err")"
done
timeout 10 "$REWIND" -cpu rv64,help >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q '^  zba=<bool>' "$tmp/out" && grep -q '^  priv_spec=<str>' "$tmp/out" && grep -q '^  v: the vector extension' "$tmp/out" &&
  ok "-cpu rv64,help lists the properties, exit 0" || not_ok "-cpu rv64,help lists the properties, exit 0" "rc=$rc"
# c=off: a program built with C stops at its first compressed instruction,
# an illegal instruction.
timeout 10 "$REWIND" -M virt -bios none -nographic -cpu rv64,c=off -kernel "$ELF" -max-insns 100000 -d int -D "$tmp/intlog" >/dev/null 2>&1
grep -q 'cause:0000000000000002' "$tmp/intlog" && ok "-cpu rv64,c=off: compressed code raises illegal-instruction" ||
  not_ok "-cpu rv64,c=off: compressed code raises illegal-instruction" "$(head -c 300 "$tmp/intlog")"
timeout 10 "$REWIND" -cpu rv64,priv_spec=v1.11.0 -M virt -bios none -nographic -kernel "$ELF" >/dev/null 2>"$tmp/err"
grep -q "^rewind: warning: -cpu rv64,priv_spec=v1.11.0: disabling zba extension for hart 0x0 because privilege spec version does not match" "$tmp/err" &&
  ok "-cpu priv_spec=v1.11.0 warns that it disables zba (as QEMU)" || not_ok "-cpu priv_spec=v1.11.0 warns" "$(head -c 300 "$tmp/err")"
# The -cpu set is part of the recorded machine: a replay with another is refused.
timeout 30 "$REWIND" -M virt -bios none -nographic -kernel "$ELF" -cpu rv64,zba=off,pmp=no \
  -icount shift=7,rr=record,rrfile="$tmp/cpu.rr" >/dev/null 2>&1 </dev/null
expect_error "replay with another -cpu" "replay refused: this machine differs from the recording's: -cpu is rv64,zbs=off here, rv64,zba=off,pmp=off in the recording" \
  -M virt -bios none -nographic -kernel "$ELF" -cpu rv64,zbs=off -icount shift=7,rr=replay,rrfile="$tmp/cpu.rr"

# Accepted QEMU habits: a run that powers off cleanly through the test device.
run_ok() {
  local desc=$1; shift
  if timeout 30 "$REWIND" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null && ! grep -q '^not ok' "$tmp/out"; then
    ok "$desc"
  else
    not_ok "$desc" "$(head -c 300 "$tmp/err" | tr '\n' '|')"
  fi
}
run_ok "plain -nographic run" -M virt -bios none -nographic -kernel "$ELF"
run_ok "-machine virt -m 256M -smp 1 -cpu rv64 -display none" -machine virt -m 256M -smp 1 -cpu rv64 -display none -serial stdio -bios none -kernel "$ELF"
run_ok "-cpu with QEMU's spellings (on/off, yes/no, true/false, y/n, Zicsr, zifencei)" -M virt -nographic -bios none -kernel "$ELF" \
  -cpu rv64,h=off,zbc=false,sstc=no,v=n,x-j=off,debug=off,Zicsr=on,zifencei=true,zba=yes,pmp=y,priv_spec=v1.12.0,pmu-num=16,g=off
run_ok "-cpu rv64,sstc=on (QEMU's default, implemented)" -M virt -nographic -bios none -kernel "$ELF" -cpu rv64,sstc=on
run_ok "-icount shift=7 -singlestep -accel tcg,thread=single" -M virt -icount shift=7,sleep=off -singlestep -accel tcg,thread=single -nographic -bios none -kernel "$ELF"
run_ok "-accel tcg,jit=off,tb-size=1 -perfmap" -M virt -accel tcg,jit=off,tb-size=1 -perfmap -nographic -bios none -kernel "$ELF"
expect_error "-accel jit=maybe" "jit must be on or off" -accel tcg,jit=maybe -bios none -kernel "$ELF"
expect_error "-accel tb-size=0" "tb-size must be a number of MiB" -accel tcg,tb-size=0 -bios none -kernel "$ELF"
run_ok "-d in_asm,exec,cpu,int -D file" -M virt -nographic -bios none -kernel "$ELF" -d in_asm,exec,cpu,int,fpu -D "$tmp/log"
if grep -q '^ pc ' "$tmp/log" && grep -q '^IN:' "$tmp/log" && grep -q '^Trace 0:' "$tmp/log"; then ok "log has cpu dumps, disassembly and traces"; else not_ok "log has cpu dumps, disassembly and traces"; fi
run_ok "-log-bound window" -M virt -nographic -bios none -kernel "$ELF" -d cpu -D "$tmp/log2" -singlestep -log-bound start=100,end=110
dumps=$(grep -c '^ pc ' "$tmp/log2")
[ "$dumps" -eq 10 ] && ok "-log-bound start=100,end=110 logs exactly 10 instructions" || not_ok "-log-bound logs exactly 10 instructions" "got $dumps"
timeout 10 "$REWIND" -M virt -bios none -nographic -kernel "$ELF" -max-insns 1000 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q "stopped after 1000 instructions" "$tmp/err" && ok "-max-insns stops exactly" || not_ok "-max-insns stops exactly" "rc=$rc $(cat "$tmp/err")"
# Found by a hostile-user review: numbers, directories, inputs as outputs.
expect_error "a TCP port above 65535 is refused, not wrapped" "port 99999 is out of range" \
  -serial tcp::99999,server=on,wait=off -bios none -kernel "$ELF"
expect_error "-chardev socket,port=70000 is refused" "port 70000 is out of range" \
  -chardev socket,id=c,port=70000,server=on,wait=off -bios none -kernel "$ELF"
expect_error "a directory as -kernel names it" "could not open kernel '/tmp': it is a directory" -bios none -kernel /tmp
expect_error "a directory as -initrd names it" "could not open initial ram disk '/tmp': it is a directory" -bios none -kernel "$ELF" -initrd /tmp
expect_error "a directory as -dtb names it" "could not open device tree '/tmp': it is a directory" -bios none -kernel "$ELF" -dtb /tmp
expect_error "a directory as -bios names it" "could not open firmware '/tmp': it is a directory" -bios /tmp -kernel "$ELF"
cp "$ELF" "$tmp/kernel.elf"
expect_error "an rrfile that is the kernel is refused before it is touched" "is the -kernel file" \
  -bios none -kernel "$tmp/kernel.elf" -icount shift=7,rr=record,rrfile="$tmp/kernel.elf"
cmp -s "$ELF" "$tmp/kernel.elf" && ok "... and the kernel is intact" || not_ok "... and the kernel is intact"
# QEMU options users' scripts carry.
run_ok "-name, -boot, -k, -global virtio-mmio.force-legacy=off" -M virt -nographic -bios none -kernel "$ELF" \
  -name guest=test,process=rewind-test,debug-threads=on -boot order=c,menu=off -k en-us -global virtio-mmio.force-legacy=off
expect_error "-global on an unknown property" "property 'foo' not found for virtio-rng-device" \
  -global virtio-rng-device.foo=1 -bios none -kernel "$ELF"
expect_error "-global on an unknown driver" "unknown driver 'nic'" -global nic.mac=1 -bios none -kernel "$ELF"
expect_error "-boot with a bad key" "-boot: invalid parameter 'bogus'" -boot bogus=1 -bios none -kernel "$ELF"
expect_error "-daemonize with stdio" "cannot be used with stdio" -daemonize -nographic -bios none -kernel "$ELF"
rm -f "$tmp/pid"
# No kernel: the hart spins in traps until the timeout's SIGTERM ends the run.
timeout 2 "$REWIND" -M virt -bios none -display none -serial null -monitor none -pidfile "$tmp/pid" >/dev/null 2>&1 &
sleep 0.5
pid_in_file=$(cat "$tmp/pid" 2>/dev/null)
expect_error "a second rewind on a locked -pidfile is refused" "locked by another" -bios none -kernel "$ELF" -pidfile "$tmp/pid"
wait
[ -n "$pid_in_file" ] && [ ! -e "$tmp/pid" ] && ok "-pidfile holds the pid while running and goes at exit" \
  || not_ok "-pidfile holds the pid while running and goes at exit" "pid='$pid_in_file' exists=$([ -e "$tmp/pid" ] && echo yes)"
# -daemonize: the parent returns at once with 0; the daemon runs on (and writes its pidfile).
timeout 10 "$REWIND" -M virt -bios none -display none -serial "file:$tmp/daemon.out" -monitor none -kernel "$ELF" \
  -daemonize -pidfile "$tmp/dpid"; rc=$?
sleep 1
[ $rc -eq 0 ] && grep -q "^ok" "$tmp/daemon.out" && ok "-daemonize: the parent exits 0 and the daemon runs the guest" \
  || not_ok "-daemonize: the parent exits 0 and the daemon runs the guest" "rc=$rc"
timeout 10 "$REWIND" -M virt -bios none -display none -serial null -monitor none -kernel "$tmp/nope" -daemonize 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "could not open kernel" "$tmp/err" && ok "-daemonize: a start-up error still reaches the user, exit 1" \
  || not_ok "-daemonize: a start-up error still reaches the user, exit 1" "rc=$rc $(cat "$tmp/err")"
"$REWIND" -version | grep -q "rewind version" && ok "-version" || not_ok "-version"
"$REWIND" -help | grep -q "usage: rewind" && ok "-help" || not_ok "-help"
"$REWIND" -d help | grep -q "in_asm" && ok "-d help lists items" || not_ok "-d help lists items"

echo "1..$n"
exit $((failed > 0))

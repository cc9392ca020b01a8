# Reads time/cycle/instret/CLINT mtime at known instruction counts (docs/lockstep.md, fact 3).
# Build: riscv64-linux-gnu-gcc -march=rv64gc -mabi=lp64d -nostdlib -static -Wl,--build-id=none -T link.ld timing.S -o timing.elf
# Run:   qemu-system-riscv64 -M virt -m 128M -nographic -bios none -kernel timing.elf \
#          -icount shift=0,sleep=off -singlestep -d cpu,nochain -D log.txt   (results in s0..s11)
.section .text.init
.globl _start
_start:
  csrr s0, time
  rdcycle s1
  rdinstret s2
  li t0, 0x200bff8
  ld s3, 0(t0)
  li t1, 1000
1: addi t1, t1, -1
  bnez t1, 1b
  csrr s4, time
  rdcycle s5
  rdinstret s6
  ld s7, 0(t0)
  la t2, handler
  csrw mtvec, t2
  rdinstret s8
  ecall
.align 2
handler:
  rdinstret s9
  la t2, handler2
  csrw mtvec, t2
  rdinstret s10
  ld t3, 0(zero)
.align 2
handler2:
  rdinstret s11
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
2: j 2b

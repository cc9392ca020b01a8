# Bare-metal guest for the lockstep self-test (-M virt -bios none -kernel selftest.elf).
# Exercises: integer ALU/mul/div loops, loads/stores/AMOs/LR-SC, compressed code, FP (D and F,
# NaN-boxing), counters, CLINT MMIO, ecall/illegal-instruction traps, a timer interrupt while
# spinning, a timer interrupt that wakes WFI, a trip to S-mode and back, UART output, and
# power-off through the sifive_test device. Exit: 0x5555 (pass) or 0x3333|code<<16 (fail).

#define UART      0x10000000
#define TEST_DEV  0x100000
#define MTIMECMP  0x2004000
#define MTIME     0x200bff8

.section .text.init
.globl _start
_start:
  la    sp, stack_top
  la    t0, trap_handler
  csrw  mtvec, t0
  # PMP: one NAPOT entry covering everything, RWX, so S-mode can run.
  li    t0, -1
  csrw  pmpaddr0, t0
  li    t0, 0x1f
  csrw  pmpcfg0, t0
  # FPU on (mstatus.FS = Initial).
  li    t0, (1 << 13)
  csrs  mstatus, t0
  csrw  fcsr, zero

  # ---- integer loop -------------------------------------------------------
  li    s0, 3000
  li    s1, 1
  li    s2, 0x12345
1:
  mul   t1, s2, s1
  add   s1, s1, t1
  xor   s2, s2, s1
  srli  t2, s1, 7
  divu  t3, s2, s0
  remw  t4, s1, s0
  add   s2, s2, t3
  sub   s1, s1, t4
  c.addi s0, -1
  bnez  s0, 1b

  # ---- memory -------------------------------------------------------------
  la    s3, scratch
  sd    s1, 0(s3)
  sw    s2, 8(s3)
  sh    s2, 12(s3)
  sb    s1, 14(s3)
  ld    t0, 0(s3)
  lw    t1, 8(s3)
  lhu   t2, 12(s3)
  lb    t3, 14(s3)
  amoadd.d s4, s2, (s3)
  addi  t0, s3, 8
  amoswap.w s5, s1, (t0)
  lr.d  t0, (s3)
  addi  t0, t0, 1
  sc.d  s6, t0, (s3)
  ld    s7, 0(s3)

  # ---- floating point -----------------------------------------------------
  fcvt.d.l fa0, s1
  li    t0, 3
  fcvt.d.l fa1, t0
  fdiv.d fa2, fa0, fa1
  fabs.d fa2, fa2
  fsqrt.d fa3, fa2
  fcvt.s.d fa4, fa3
  fmul.s fa5, fa4, fa4
  fmadd.d fa6, fa3, fa3, fa1
  feq.d  a0, fa3, fa3
  fcvt.l.d a1, fa6, rtz
  fsd   fa6, 16(s3)
  flw   fa7, 16(s3)
  frflags a2

  # ---- counters and CLINT -------------------------------------------------
  rdtime   a3
  rdcycle  a4
  rdinstret a5
  li    t0, MTIME
  ld    a6, 0(t0)

  # ---- synchronous traps --------------------------------------------------
  li    s8, 0
  ecall                       # handler: mepc += 4, s8 += 1
  .word 0                     # illegal instruction, same handling
  csrr  a7, mcause

  # ---- timer interrupt while spinning -------------------------------------
  li    s9, 0
  li    t0, MTIME
  ld    t1, 0(t0)
  addi  t1, t1, 3
  li    t0, MTIMECMP
  sd    t1, 0(t0)
  li    t0, (1 << 7)          # mie.MTIE
  csrs  mie, t0
  csrsi mstatus, 8            # mstatus.MIE
2:
  addi  s10, s10, 1
  beqz  s9, 2b

  # ---- timer interrupt waking WFI -----------------------------------------
  li    t0, MTIME
  ld    t1, 0(t0)
  addi  t1, t1, 20
  li    t0, MTIMECMP
  sd    t1, 0(t0)
  csrci mstatus, 8            # take it after wfi, with MIE off: wfi still wakes
3:
  wfi
  csrr  t0, mip
  andi  t0, t0, (1 << 7)
  beqz  t0, 3b
  li    t0, MTIMECMP
  li    t1, -1
  sd    t1, 0(t0)

  # ---- S-mode and back ----------------------------------------------------
  li    t0, (3 << 11)
  csrc  mstatus, t0
  li    t0, (1 << 11)         # MPP = S
  csrs  mstatus, t0
  la    t0, smode
  csrw  mepc, t0
  mret

back_in_m:
  # ---- report and power off -----------------------------------------------
  la    a0, msg
  li    t0, UART
4:
  lbu   t1, 0(a0)
  beqz  t1, 5f
  sb    t1, 0(t0)
  addi  a0, a0, 1
  j     4b
5:
  li    t0, TEST_DEV
  li    t1, 0x5555
  sw    t1, 0(t0)
6:
  j     6b

smode:
  csrr  t0, sstatus
  li    t1, 100
7:
  add   t2, t2, t1
  addi  t1, t1, -1
  bnez  t1, 7b
  csrw  sscratch, t2
  ecall                       # cause 9: handler goes to back_in_m in M-mode

# ---- M-mode trap handler (uses only t5, t6) --------------------------------
.align 2
trap_handler:
  csrr  t5, mcause
  bltz  t5, irq
  li    t6, 9
  beq   t5, t6, from_s
  li    t6, 11
  beq   t5, t6, skip
  li    t6, 2
  beq   t5, t6, skip
  # anything else: fail
  li    t5, TEST_DEV
  li    t6, 0x13333
  sw    t6, 0(t5)
8:
  j     8b
skip:
  csrr  t6, mepc
  addi  t6, t6, 4
  csrw  mepc, t6
  addi  s8, s8, 1
  mret
irq:
  li    t5, MTIMECMP
  li    t6, -1
  sd    t6, 0(t5)
  li    s9, 1
  mret
from_s:
  la    t6, back_in_m
  csrw  mepc, t6
  li    t6, (3 << 11)
  csrs  mstatus, t6          # MPP = M
  mret

.section .rodata
msg: .asciz "lockstep selftest: done\n"

.section .bss
.align 4
scratch: .space 64

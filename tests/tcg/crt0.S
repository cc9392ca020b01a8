/*
 * crt0.S - common runtime of the bare-metal ISA tests: reset entry, TAP
 * output on the NS16550A UART, the check helper, the trap handlers and the
 * final exit through the SiFive test device.  See include/test.h.
 */
#include "test.h"

    .section .text.init, "ax"
    .globl _start
_start:
    la sp, __stack_top
    la gp, __tstate
    /* zero the state block (RAM is zero at reset, but be explicit) */
    li t0, 0
1:  add t1, gp, t0
    sd zero, 0(t1)
    addi t0, t0, 8
    li t1, T_SIZE
    bltu t0, t1, 1b

    /* Set-up steps that a CPU without the register (-cpu rv64,s=off,
     * pmp=off, f=off, ...: cpu_props.S) traps on are skipped: each is one
     * 4-byte instruction (CSR accesses are never compressed), and
     * __setup_skip resumes after it. */
    la t0, __setup_skip
    csrw mtvec, t0
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrw satp, zero
    /* Catch-all PMP entry 15 (NAPOT, RWX): without any PMP entry S/U-mode
     * has no access at all.  pmp.S uses entries 0..14 in front of it. */
    li t0, -1
    csrw pmpaddr15, t0
    li t0, 0x1f << 56
    csrw pmpcfg2, t0
    /* FPU on, clean fcsr */
    li t0, MSTATUS_FS
    csrs mstatus, t0
    csrw fcsr, zero
    la t0, __trap_entry
    csrw mtvec, t0
    j test_main

    .align 2
__setup_skip:
    csrr t1, mepc
    addi t1, t1, 4
    csrw mepc, t1
    mret

/* ---------------------------------------------------------------- exit */
    .text
    .globl __test_done
__test_done:
    la a0, s_plan
    call __puts
    ld a0, T_COUNT(gp)
    call __putdec
    li a0, '\n'
    call __putc
    ld t1, T_FAILS(gp)
    li t2, 0x5555
    beqz t1, 1f
    slli t1, t1, 16
    li t2, 0x3333
    or t2, t2, t1
1:  li t0, TESTDEV_BASE
    sw t2, 0(t0)
2:  wfi
    j 2b

/* ---------------------------------------------------------------- output */
/* __putc(a0): clobbers t0, t1 */
    .globl __putc
__putc:
    addi sp, sp, -16
    sd t2, 0(sp)
    li t0, UART_BASE
    li t2, 100000           /* bounded wait for LSR.THRE */
1:  lbu t1, 5(t0)
    andi t1, t1, 0x20
    bnez t1, 2f
    addi t2, t2, -1
    bnez t2, 1b
2:  sb a0, 0(t0)
    ld t2, 0(sp)
    addi sp, sp, 16
    ret

/* __puts(a0 = string): clobbers a0, t0-t2 */
    .globl __puts
__puts:
    addi sp, sp, -16
    sd ra, 0(sp)
    mv t2, a0
1:  lbu a0, 0(t2)
    beqz a0, 2f
    call __putc
    addi t2, t2, 1
    j 1b
2:  ld ra, 0(sp)
    addi sp, sp, 16
    ret

/* __puthex(a0): "0x" + 16 digits; clobbers a0, t0-t3 */
    .globl __puthex
__puthex:
    addi sp, sp, -16
    sd ra, 0(sp)
    mv t2, a0
    li a0, '0'
    call __putc
    li a0, 'x'
    call __putc
    li t3, 60
1:  srl a0, t2, t3
    andi a0, a0, 15
    addi a0, a0, '0'
    li t0, '9'
    ble a0, t0, 2f
    addi a0, a0, 'a' - '0' - 10
2:  call __putc
    addi t3, t3, -4
    bgez t3, 1b
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

/* __putdec(a0): unsigned decimal below 10^6 (test counts); clobbers a0,
 * t0-t3.  By repeated subtraction: no M instructions (-cpu rv64,m=off). */
__putdec:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s1, 8(sp)
    sd s2, 16(sp)
    mv s1, a0
    li s2, 0                /* a digit has been printed */
    li t3, 100000
1:  li a0, '0'
2:  bltu s1, t3, 3f
    sub s1, s1, t3
    addi a0, a0, 1
    j 2b
3:  li t0, '0'
    bne a0, t0, 4f
    beqz s2, 5f             /* no leading zeros */
4:  li s2, 1
    call __putc
5:  /* t3 /= 10: the next power of ten down */
    li t0, 100000
    li t1, 10000
    beq t3, t0, 6f
    li t0, 10000
    li t1, 1000
    beq t3, t0, 6f
    li t0, 1000
    li t1, 100
    beq t3, t0, 6f
    li t0, 100
    li t1, 10
    beq t3, t0, 6f
    li t0, 10
    li t1, 1
    beq t3, t0, 6f
    j 7f
6:  mv t3, t1
    j 1b
7:  bnez s2, 8f
    li a0, '0'
    call __putc
8:  ld ra, 0(sp)
    ld s1, 8(sp)
    ld s2, 16(sp)
    addi sp, sp, 32
    ret

/* --------------------------------------------------------------- check */
/* __check(a0 = actual, a1 = expected, a2 = description).
 * Prints "ok N - desc" or "not ok N - desc" plus a "# got/expected" line.
 * Preserves everything except a0-a2 and ra (CHECK restores those). */
    .globl __check
__check:
    addi sp, sp, -64
    sd ra, 0(sp)
    sd t0, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd t3, 32(sp)
    sd a0, 40(sp)
    sd a1, 48(sp)
    sd a2, 56(sp)
    ld t0, T_COUNT(gp)
    addi t0, t0, 1
    sd t0, T_COUNT(gp)
    beq a0, a1, 1f
    ld t0, T_FAILS(gp)
    addi t0, t0, 1
    sd t0, T_FAILS(gp)
    la a0, s_not
    call __puts
1:  la a0, s_ok
    call __puts
    ld a0, T_COUNT(gp)
    call __putdec
    la a0, s_dash
    call __puts
    ld a0, 56(sp)
    call __puts
    li a0, '\n'
    call __putc
    ld a0, 40(sp)
    ld a1, 48(sp)
    beq a0, a1, 2f
    la a0, s_got
    call __puts
    ld a0, 40(sp)
    call __puthex
    la a0, s_exp
    call __puts
    ld a0, 48(sp)
    call __puthex
    li a0, '\n'
    call __putc
2:  ld ra, 0(sp)
    ld t0, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld t3, 32(sp)
    addi sp, sp, 64
    ret

/* --------------------------------------------------------------- traps */
/*
 * M-mode trap handler.  If a trap is expected (T_RESUME != 0) record
 * mcause/mepc/mtval/mstatus and resume at T_RESUME in M-mode with MPIE
 * cleared (so a still-pending interrupt does not re-fire on mret).
 * Otherwise report the unexpected trap as a failure and end the test.
 */
    .align 6
    .globl __trap_entry
__trap_entry:
    sd t0, T_SAVE(gp)
    sd t1, T_SAVE+8(gp)
    ld t0, T_RESUME(gp)
    beqz t0, __unexpected
    sd zero, T_RESUME(gp)
    csrr t1, mcause
    sd t1, T_CAUSE(gp)
    csrr t1, mepc
    sd t1, T_EPC(gp)
    csrr t1, mtval
    sd t1, T_TVAL(gp)
    csrr t1, mstatus
    sd t1, T_STATUS(gp)
    ld t1, T_TRAPS(gp)
    addi t1, t1, 1
    sd t1, T_TRAPS(gp)
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    ld t0, T_SAVE(gp)
    ld t1, T_SAVE+8(gp)
    mret

__unexpected:
    la sp, __stack_top
    ld t0, T_COUNT(gp)
    addi t0, t0, 1
    sd t0, T_COUNT(gp)
    ld t0, T_FAILS(gp)
    addi t0, t0, 1
    sd t0, T_FAILS(gp)
    la a0, s_unexp
    call __puts
    ld a0, T_COUNT(gp)
    call __putdec
    la a0, s_unexp2
    call __puts
    csrr a0, mcause
    call __puthex
    la a0, s_mepc
    call __puts
    csrr a0, mepc
    call __puthex
    la a0, s_mtval
    call __puts
    csrr a0, mtval
    call __puthex
    li a0, '\n'
    call __putc
    j __test_done

/*
 * S-mode helper handler (tests install it in stvec): records scause, sepc,
 * stval, sstatus in the state block, then does ecall, which reaches the
 * M-mode handler as an expected trap (cause 9) and resumes the test.
 */
    .align 6
    .globl __strap_entry
__strap_entry:
    sd t0, T_SAVE+16(gp)
    csrr t0, scause
    sd t0, T_SCAUSE(gp)
    csrr t0, sepc
    sd t0, T_SEPC(gp)
    csrr t0, stval
    sd t0, T_STVAL(gp)
    csrr t0, sstatus
    sd t0, T_SSTATUS(gp)
    ld t0, T_SAVE+16(gp)
    ecall

    .section .rodata
s_plan:   .asciz "1.."
s_not:    .asciz "not "
s_ok:     .asciz "ok "
s_dash:   .asciz " - "
s_got:    .asciz "# got "
s_exp:    .asciz " expected "
s_unexp:  .asciz "not ok "
s_unexp2: .asciz " - unexpected trap mcause="
s_mepc:   .asciz " mepc="
s_mtval:  .asciz " mtval="

    .bss
    .align 4
    .globl __tstate
__tstate:
    .space T_SIZE

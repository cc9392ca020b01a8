/*
 * test.h - assembler helpers for the rewind bare-metal ISA tests.
 *
 * Every test program looks like:
 *
 *     #include "test.h"
 *     TEST_BEGIN
 *         li   a0, 2
 *         addi a0, a0, 3
 *         CHECK a0, 5, "addi basic"
 *     TEST_END
 *
 * crt0.S runs the program in M-mode with: sp = stack, gp = pointer to the
 * trap/test state block (never change gp in a test), mtvec = common trap
 * handler, FPU on (mstatus.FS = Dirty), a catch-all PMP entry in slot 15 so
 * that S/U-mode can reach all memory.
 *
 * Results go out as TAP on the UART; the final exit uses the SiFive test
 * device: 0x5555 if all passed, else (failures << 16) | 0x3333.
 *
 * Register usage of the macros:
 *   CHECK*, PRINT        preserve every register (they save what they use)
 *   TRY, TRY_MODE        clobber t6 only
 * The trap handler preserves every register except gp's block.
 */
#ifndef REWIND_TEST_H
#define REWIND_TEST_H

/* ---- devices on the virt board ---- */
#define UART_BASE       0x10000000
#define TESTDEV_BASE    0x100000
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP  (CLINT_BASE + 0x4000)
#define CLINT_MTIME     (CLINT_BASE + 0xbff8)

/* ---- CSR bits ---- */
#define MSTATUS_SIE     (1 << 1)
#define MSTATUS_MIE     (1 << 3)
#define MSTATUS_SPIE    (1 << 5)
#define MSTATUS_UBE     (1 << 6)
#define MSTATUS_MPIE    (1 << 7)
#define MSTATUS_SPP     (1 << 8)
#define MSTATUS_MPP     (3 << 11)
#define MSTATUS_MPP_S   (1 << 11)
#define MSTATUS_MPP_M   (3 << 11)
#define MSTATUS_FS      (3 << 13)
#define MSTATUS_MPRV    (1 << 17)
#define MSTATUS_SUM     (1 << 18)
#define MSTATUS_MXR     (1 << 19)
#define MSTATUS_TVM     (1 << 20)
#define MSTATUS_TW      (1 << 21)
#define MSTATUS_TSR     (1 << 22)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* exception causes */
#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL_INSN      2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11
#define CAUSE_FETCH_PAGE        12
#define CAUSE_LOAD_PAGE         13
#define CAUSE_STORE_PAGE        15
#define CAUSE_NONE              (-1)     /* TRY: instruction did not trap */

#define INTR(n)         ((1 << 63) | (n))
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11

/* ---- layout of the state block pointed to by gp (see crt0.S) ---- */
#define T_RESUME  0     /* != 0: next trap is expected, resume here in M-mode */
#define T_CAUSE   8     /* mcause of the last expected trap (-1: none) */
#define T_EPC     16    /* its mepc */
#define T_TVAL    24    /* its mtval */
#define T_STATUS  32    /* mstatus at trap entry (before the handler's edits) */
#define T_SCAUSE  40    /* filled by the S-mode helper handler */
#define T_SEPC    48
#define T_STVAL   56
#define T_SSTATUS 64
#define T_COUNT   72    /* number of checks run */
#define T_FAILS   80    /* number of failed checks */
#define T_SAVE    88    /* 4 dwords of handler scratch */
#define T_TRAPS   120   /* number of expected traps taken */
#define T_TRYPC   128   /* address of the instruction of the last TRY */
#define T_SIZE    136

#ifdef __ASSEMBLER__

    .option nopic       /* la = auipc+addi (absolute image, no GOT) */

/* Program entry/exit. */
.macro TEST_BEGIN
    .text
    .globl test_main
test_main:
.endm

.macro TEST_END
    j __test_done
.endm

/* Place a string in .rodata, load its address into reg. */
.macro LA_STR reg, str
    .pushsection .rodata.str, "a"
.Lstr_\@: .asciz "\str"
    .popsection
    la \reg, .Lstr_\@
.endm

/* CHECK reg, expected_imm, "desc": one TAP line; reg == expected? */
.macro CHECK reg, expected, desc
    addi sp, sp, -32
    sd a0, 0(sp)
    sd a1, 8(sp)
    sd a2, 16(sp)
    sd ra, 24(sp)
    mv a0, \reg
    li a1, \expected
    LA_STR a2, "\desc"
    call __check
    ld a0, 0(sp)
    ld a1, 8(sp)
    ld a2, 16(sp)
    ld ra, 24(sp)
    addi sp, sp, 32
.endm

/* CHECKR reg, reg2, "desc": compare two registers. */
.macro CHECKR reg, reg2, desc
    addi sp, sp, -48
    sd a0, 0(sp)
    sd a1, 8(sp)
    sd a2, 16(sp)
    sd ra, 24(sp)
    sd \reg, 32(sp)
    sd \reg2, 40(sp)
    ld a0, 32(sp)
    ld a1, 40(sp)
    LA_STR a2, "\desc"
    call __check
    ld a0, 0(sp)
    ld a1, 8(sp)
    ld a2, 16(sp)
    ld ra, 24(sp)
    addi sp, sp, 48
.endm

/* CHECKM off, expected, "desc": compare a dword of the gp state block. */
.macro CHECKM off, expected, desc
    addi sp, sp, -16
    sd a0, 0(sp)
    ld a0, \off(gp)
    CHECK a0, \expected, "\desc"
    ld a0, 0(sp)
    addi sp, sp, 16
.endm

/* CHECKM_LA off, symbol, "desc": a state block dword equals a label address. */
.macro CHECKM_LA off, sym, desc
    addi sp, sp, -16
    sd a0, 0(sp)
    sd a1, 8(sp)
    ld a0, \off(gp)
    la a1, \sym
    CHECKR a0, a1, "\desc"
    ld a0, 0(sp)
    ld a1, 8(sp)
    addi sp, sp, 16
.endm

/* CHECK_CSR csr, expected, "desc" */
.macro CHECK_CSR csr, expected, desc
    addi sp, sp, -16
    sd a0, 0(sp)
    csrr a0, \csr
    CHECK a0, \expected, "\desc"
    ld a0, 0(sp)
    addi sp, sp, 16
.endm

/* Compare the raw bits of an FP register (fmv.x.d: for single values the
 * NaN-box 0xffffffff_xxxxxxxx is part of the checked value). */
.macro CHECKF freg, expected, desc
    addi sp, sp, -16
    sd a0, 0(sp)
    fmv.x.d a0, \freg
    CHECK a0, \expected, "\desc"
    ld a0, 0(sp)
    addi sp, sp, 16
.endm

/* CHECK_FLAGS expected, "desc": read and clear fflags, compare. */
.macro CHECK_FLAGS expected, desc
    addi sp, sp, -16
    sd a0, 0(sp)
    csrrw a0, fflags, zero
    CHECK a0, \expected, "\desc"
    ld a0, 0(sp)
    addi sp, sp, 16
.endm

/* Print a TAP comment line "# text". */
.macro PRINT str
    addi sp, sp, -16
    sd a0, 0(sp)
    sd ra, 8(sp)
    LA_STR a0, "# \str\n"
    call __puts
    ld a0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
.endm

/*
 * TRY insn: execute one instruction expecting that it may trap.  Afterwards T_CAUSE(gp) holds
 * the mcause, or CAUSE_NONE if nothing trapped; T_EPC/T_TVAL/T_STATUS the
 * other trap CSRs.  Execution always continues after the macro, in M-mode,
 * with mstatus.MIE = 0 (the handler clears MPIE before its mret, which
 * then sets MPIE = 1).  Clobbers t6.
 */
.macro TRY insn:vararg
    la t6, .Ltry_done_\@
    sd t6, T_RESUME(gp)
    la t6, .Ltry_insn_\@
    sd t6, T_TRYPC(gp)
.Ltry_insn_\@:
    \insn
    sd zero, T_RESUME(gp)
    li t6, CAUSE_NONE
    sd t6, T_CAUSE(gp)
.Ltry_done_\@:
.endm

/* TRY_BEGIN ... TRY_END: same as TRY for a block of instructions; the
 * block ends at its first trap.  (Uses local labels 8887/8888.) */
.macro TRY_BEGIN
    la t6, 8888f
    sd t6, T_RESUME(gp)
    la t6, 8887f
    sd t6, T_TRYPC(gp)
8887:
.endm
.macro TRY_END
    sd zero, T_RESUME(gp)
    li t6, CAUSE_NONE
    sd t6, T_CAUSE(gp)
8888:
.endm

/* CHECK_EPC "desc": mepc of the last TRY was the tried instruction. */
.macro CHECK_EPC desc
    addi sp, sp, -16
    sd a0, 0(sp)
    sd a1, 8(sp)
    ld a0, T_EPC(gp)
    ld a1, T_TRYPC(gp)
    CHECKR a0, a1, "\desc"
    ld a0, 0(sp)
    ld a1, 8(sp)
    addi sp, sp, 16
.endm

/*
 * TRY_MODE mode, target: jump to label `target` in privilege `mode` (0 U,
 * 1 S, 3 M) via mret; the code there must end by trapping (ecall, or the
 * fault under test).  The trap lands back here in M-mode, with the trap
 * CSRs recorded as for TRY.  Clobbers t6.
 */
.macro TRY_MODE mode, target
    la t6, .Ltrym_done_\@
    sd t6, T_RESUME(gp)
    li t6, MSTATUS_MPP
    csrc mstatus, t6
    li t6, (\mode) << 11
    csrs mstatus, t6
    la t6, \target
    csrw mepc, t6
    mret
.Ltrym_done_\@:
.endm

/* Same but target given in a register (e.g. a virtual address). */
.macro TRY_MODE_REG mode, reg
    la t6, .Ltrymr_done_\@
    sd t6, T_RESUME(gp)
    li t6, MSTATUS_MPP
    csrc mstatus, t6
    li t6, (\mode) << 11
    csrs mstatus, t6
    csrw mepc, \reg
    mret
.Ltrymr_done_\@:
.endm

/* Check the recorded trap cause (and tval) of the last TRY. */
.macro CHECK_CAUSE cause, desc
    CHECKM T_CAUSE, \cause, "\desc"
.endm
.macro CHECK_TVAL tval, desc
    CHECKM T_TVAL, \tval, "\desc"
.endm

/* ---- one-line arithmetic checks (clobber a0-a2) ---- */

/* TEST_RR op, a, b, expected: a0 = op(a1 = a, a2 = b) */
.macro TEST_RR op, a, b, exp
    li a1, \a
    li a2, \b
    \op a0, a1, a2
    CHECK a0, \exp, "\op \a, \b"
.endm

/* TEST_RI op, a, imm, expected: a0 = op(a1 = a, imm) */
.macro TEST_RI op, a, imm, exp
    li a1, \a
    \op a0, a1, \imm
    CHECK a0, \exp, "\op \a, \imm"
.endm

/* TEST_R1 op, a, expected: a0 = op(a1 = a) */
.macro TEST_R1 op, a, exp
    li a1, \a
    \op a0, a1
    CHECK a0, \exp, "\op \a"
.endm

#endif /* __ASSEMBLER__ */
#endif /* REWIND_TEST_H */

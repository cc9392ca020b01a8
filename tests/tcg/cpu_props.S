/*
 * cpu_props.S - what `-cpu rv64,PROP=off` removes: misa, the instructions of
 * each extension (they raise illegal-instruction), the CSRs and mstatus/mie
 * fields that belong to it, and with C off the IALIGN=32 rules.
 *
 * Built once per property set (tests/tcg/meson.build): the EXT_* macros say
 * what the run's -cpu has (1 by default), and each run's -cpu is given to
 * rewind and to QEMU 7.2 alike, so both must agree with the expectations.
 * Assembled without C (-march=rv64g...) so that it runs with c=off, and it
 * uses no M instruction (crt0's output neither) so that it runs with m=off.
 *
 * STRICT=1 (rewind's build) adds what the privileged and unprivileged specs
 * require and QEMU 7.2 does not do: without A, lr.d/sc.d/amo*.d stay legal
 * on QEMU 7.2; without S it keeps medeleg/mideleg, sfence.vma, the S fields
 * of mstatus and the S interrupt enables of mie; without U, mstatus.MPP
 * still takes U and MPRV/TW stay writable; with C off, the mtval of a
 * misaligned jal or branch is a stale pc instead of the target, and mepc
 * keeps bit 1.
 */
#include "test.h"

#ifndef STRICT
#define STRICT 0
#endif
#ifndef EXT_M
#define EXT_M 1
#endif
#ifndef EXT_A
#define EXT_A 1
#endif
#ifndef EXT_F
#define EXT_F 1
#endif
#ifndef EXT_D
#define EXT_D 1
#endif
#ifndef EXT_C
#define EXT_C 1
#endif
#ifndef EXT_S
#define EXT_S 1
#endif
#ifndef EXT_U
#define EXT_U 1
#endif
#ifndef EXT_ZBA
#define EXT_ZBA 1
#endif
#ifndef EXT_ZBB
#define EXT_ZBB 1
#endif
#ifndef EXT_ZBS
#define EXT_ZBS 1
#endif
#ifndef EXT_ZIFENCEI
#define EXT_ZIFENCEI 1
#endif
#ifndef HAS_PMP
#define HAS_PMP 1
#endif
#ifndef HAS_MMU
#define HAS_MMU 1
#endif

#define MISA_BIT(c) (1 << ((c) - 'A'))
#define MISA_EXPECT ((2 << 62) | MISA_BIT('I') | EXT_M * MISA_BIT('M') | EXT_A * MISA_BIT('A') | \
                     EXT_F * MISA_BIT('F') | EXT_D * MISA_BIT('D') | EXT_C * MISA_BIT('C') |     \
                     EXT_S * MISA_BIT('S') | EXT_U * MISA_BIT('U'))
/* The cause TRY records: none when the extension is there, else illegal. */
#define WHEN(present) (2 - 3 * (present))

.macro TRY_EXT present, insn:vararg
    TRY \insn
    CHECK_CAUSE WHEN(\present), "\insn"
.endm

/* mstatus bits `mask` after setting them: `mask` when present, else 0. */
.macro MSTATUS_BITS present, mask, desc
    li t0, \mask
    csrs mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECK a0, (\present) * (\mask), "\desc"
    csrc mstatus, t0
.endm

TEST_BEGIN
    /* ---------------- misa: the extensions, read-only ---------------- */
    csrr a0, misa
    CHECK a0, MISA_EXPECT, "misa"
    li t0, MISA_BIT('C') | MISA_BIT('M') | MISA_BIT('F')
    csrc misa, t0
    csrr a1, misa
    CHECKR a1, a0, "misa is read-only"

    /* ---------------- instructions ---------------- */
    li a1, 6
    li a2, 7
    TRY_EXT EXT_M, mul a0, a1, a2
    TRY_EXT EXT_M, divuw a0, a1, a2
    TRY_EXT EXT_A, amoadd.w a0, a1, (sp)
    TRY_EXT EXT_A, lr.w a0, (sp)
#if STRICT
    TRY_EXT EXT_A, lr.d a0, (sp)
    TRY_EXT EXT_A, amoswap.d a0, a1, (sp)
#endif
    li t0, MSTATUS_FS
    csrs mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECK a0, EXT_F * MSTATUS_FS, "mstatus.FS writable iff F"
    TRY_EXT EXT_F, fadd.s f1, f2, f3
    TRY_EXT EXT_F, flw f1, 0(sp)
    TRY_EXT EXT_F, fmv.w.x f1, a1
    TRY_EXT EXT_F, csrr a0, fcsr
    TRY_EXT EXT_F, csrr a0, frm
    TRY_EXT EXT_D, fadd.d f1, f2, f3
    TRY_EXT EXT_D, fld f1, 0(sp)
    TRY_EXT EXT_D, fcvt.d.l f1, a1
    TRY_EXT EXT_ZBA, sh1add a0, a1, a2
    TRY_EXT EXT_ZBA, add.uw a0, a1, a2
    TRY_EXT EXT_ZBB, andn a0, a1, a2
    TRY_EXT EXT_ZBB, clz a0, a1
    TRY_EXT EXT_ZBB, rev8 a0, a1
    TRY_EXT EXT_ZBS, bset a0, a1, a2
    TRY_EXT EXT_ZBS, bexti a0, a1, 3
    TRY_EXT EXT_ZIFENCEI, fence.i

    /* Two c.addi a0, 1: both run, or the first raises illegal-instruction. */
    li a0, 0
    TRY_BEGIN
    .2byte 0x0505
    .2byte 0x0505
    TRY_END
    CHECK_CAUSE WHEN(EXT_C), "c.addi"
    CHECK a0, 2 * EXT_C, "c.addi ran iff C"
#if EXT_C && !EXT_D
    mv s0, sp
    TRY_BEGIN
    .2byte 0x2000           /* c.fld fs0, 0(s0) */
    .2byte 0x0001           /* c.nop */
    TRY_END
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "c.fld without D"
#endif

    /* ---------------- supervisor mode ---------------- */
    TRY_EXT EXT_S, csrr a0, sstatus
    TRY_EXT EXT_S, csrr a0, stvec
    TRY_EXT EXT_S, csrr a0, sepc
    TRY_EXT EXT_S, csrr a0, sip
    TRY_EXT EXT_S, csrr a0, satp
    TRY_EXT EXT_S, csrr a0, scounteren
    TRY_EXT EXT_S, csrr a0, senvcfg
#if STRICT
    TRY_EXT EXT_S, csrr a0, medeleg
    TRY_EXT EXT_S, csrr a0, mideleg
#endif
#if !EXT_S
    TRY_EXT 0, sret
#if STRICT
    TRY_EXT 0, sfence.vma
#endif
#endif
#if STRICT || EXT_S
    MSTATUS_BITS EXT_S, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, "mstatus SIE SPIE SPP iff S"
    MSTATUS_BITS EXT_S, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TSR, "mstatus SUM MXR TVM TSR iff S"
    li t0, 0x222
    csrs mie, t0
    csrr a0, mie
    CHECK a0, EXT_S * 0x222, "mie SSIE STIE SEIE iff S"
    csrc mie, t0
#endif
#if STRICT || EXT_U
    /* MPP holds only the modes there are: U reads back as M without U */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECK a0, (1 - EXT_U) * MSTATUS_MPP, "mstatus.MPP = U iff U"
#endif
#if EXT_S
    TRY_BEGIN
    li a1, 8 << 60          /* Sv39, root page 0 */
    csrw satp, a1
    csrr a0, satp
    csrw satp, zero
    TRY_END
    CHECK a0, HAS_MMU * (8 << 60), "satp holds Sv39 iff mmu"
#endif

    /* ---------------- user mode ---------------- */
    TRY_EXT EXT_U, csrr a0, mcounteren
    TRY_EXT EXT_U, csrr a0, menvcfg
#if STRICT || EXT_U
    MSTATUS_BITS EXT_U, MSTATUS_MPRV, "mstatus.MPRV iff U"
    MSTATUS_BITS EXT_U, MSTATUS_TW, "mstatus.TW iff U"
#endif

    /* ---------------- PMP ---------------- */
    TRY_EXT HAS_PMP, csrr a0, pmpcfg0
    TRY_EXT HAS_PMP, csrr a0, pmpaddr3

#if !EXT_C
    /* ---------------- IALIGN = 32 ---------------- */
    /* A jump or taken branch to an address that is not 4-byte aligned
     * raises instruction-address-misaligned at the jump (tval: the target)
     * and writes no register. */
    la t0, 1f
    li a5, 0x1234
    TRY jalr a5, 2(t0)
    CHECK_CAUSE CAUSE_MISALIGNED_FETCH, "jalr to pc+2 is misaligned"
    CHECK_EPC "jalr: mepc is the jalr"
    la t0, 1f
    addi t0, t0, 2
    ld a0, T_TVAL(gp)
    CHECKR a0, t0, "jalr: mtval is the target"
    CHECK a5, 0x1234, "jalr: rd is not written"
1:  li a5, 0x1234
    TRY jal a5, .+6
    CHECK_CAUSE CAUSE_MISALIGNED_FETCH, "jal to pc+6 is misaligned"
    CHECK_EPC "jal: mepc is the jal"
#if STRICT
    ld t0, T_TRYPC(gp)
    addi t0, t0, 6
    ld a0, T_TVAL(gp)
    CHECKR a0, t0, "jal: mtval is the target"
#endif
    CHECK a5, 0x1234, "jal: rd is not written"
    TRY beq zero, zero, .+6
    CHECK_CAUSE CAUSE_MISALIGNED_FETCH, "taken beq to pc+6 is misaligned"
    CHECK_EPC "beq: mepc is the beq"
#if STRICT
    ld t0, T_TRYPC(gp)
    addi t0, t0, 6
    ld a0, T_TVAL(gp)
    CHECKR a0, t0, "beq: mtval is the target"
#endif
    TRY bne zero, zero, .+6
    CHECK_CAUSE CAUSE_NONE, "untaken bne to pc+6 does not trap"
#if STRICT
    /* Only IALIGN=32: mepc[1:0] are always zero */
    csrr s1, mepc
    li t0, 0x80000006
    csrw mepc, t0
    csrr a0, mepc
    CHECK a0, 0x80000004, "mepc bit 1 is zero"
    csrw mepc, s1
#endif
    .align 2
#endif
TEST_END

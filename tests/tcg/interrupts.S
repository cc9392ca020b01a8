/*
 * interrupts.S - CLINT machine software interrupt (msip at 0x2000000) and
 * machine timer (mtimecmp 0x2004000 / mtime 0x200bff8), mie and mstatus.MIE
 * gating, wfi wake-up (also with MIE = 0), interrupt priority, and
 * supervisor software/timer interrupts raised through mip.SSIP/STIP and
 * delegated with mideleg (taken in S, or from U regardless of SIE).
 *
 * All waits are bounded loops; an interrupt that never comes fails a check.
 */
#include "test.h"

#define MIP_MSIP  (1 << IRQ_MSI)
#define MIP_MTIP  (1 << IRQ_MTI)
#define SPIN      2000000              /* bounded wait: loop iterations */

/* spin until the trap (resume label of TRY_BEGIN) or SPIN iterations */
.macro SPIN_WAIT
    li t0, SPIN
.Lspin\@:
    addi t0, t0, -1
    bnez t0, .Lspin\@
.endm

/* a0 = mip & mask */
.macro MIP_BITS mask
    csrr a0, mip
    li t0, \mask
    and a0, a0, t0
.endm

TEST_BEGIN
    li s2, CLINT_MSIP
    li s3, CLINT_MTIMECMP
    li s4, CLINT_MTIME
    li t0, -1
    sd t0, 0(s3)                      /* no timer interrupt for now */

    /* ---------------- CLINT registers ---------------- */
    MIP_BITS MIP_MTIP
    CHECK a0, 0, "mtimecmp = -1: MTIP clear"
    sd zero, 0(s3)
    MIP_BITS MIP_MTIP
    CHECK a0, MIP_MTIP, "mtimecmp = 0: MTIP set"
    li t0, -1
    sd t0, 0(s3)
    li t0, 0x123456789
    sd t0, 0(s3)
    ld a0, 0(s3)
    CHECK a0, 0x123456789, "mtimecmp reads back"
    li t0, -1
    sd t0, 0(s3)
    ld a0, 0(s4)
    ld a1, 0(s4)
    sltu a2, a1, a0
    CHECK a2, 0, "mtime is monotonic"
    li t0, 0xffffffff
    sw t0, 0(s2)
    lw a0, 0(s2)
    CHECK a0, 1, "msip: only bit 0 is writable"
    MIP_BITS MIP_MSIP
    CHECK a0, MIP_MSIP, "msip = 1 sets mip.MSIP"
    sw zero, 0(s2)
    MIP_BITS MIP_MSIP
    CHECK a0, 0, "msip = 0 clears mip.MSIP"

    /* ---------------- machine software interrupt ---------------- */
    /* pending + enabled in mie, but mstatus.MIE = 0: not taken */
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, 1
    sw t0, 0(s2)
    TRY_BEGIN
    nop
    nop
    nop
    TRY_END
    CHECK_CAUSE CAUSE_NONE, "MSI with MIE=0: not taken in M"
    /* MIE = 1 but mie.MSIE = 0: not taken */
    csrw mie, zero
    csrsi mstatus, MSTATUS_MIE
    TRY_BEGIN
    nop
    nop
    TRY_END
    csrci mstatus, MSTATUS_MIE
    CHECK_CAUSE CAUSE_NONE, "MSI with mie.MSIE=0: not taken"
    /* both enabled: taken right after the csrs that sets MIE */
    li t0, MIP_MSIP
    csrw mie, t0
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
msi_next:
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_MSI), "MSI taken: mcause"
    CHECKM_LA T_EPC, msi_next, "MSI: mepc = next instruction"
    CHECK_TVAL 0, "MSI: mtval 0"
    ld a0, T_STATUS(gp)
    andi a0, a0, MSTATUS_MPIE
    CHECK a0, MSTATUS_MPIE, "MSI: MPIE = 1"
    csrr a0, mstatus
    andi a0, a0, MSTATUS_MIE
    CHECK a0, 0, "after the trap MIE = 0"
    sw zero, 0(s2)
    /* in U-mode, M interrupts are taken even with MIE = 0 */
    li t0, 1
    sw t0, 0(s2)
    TRY_MODE PRV_U, u_spin
    CHECK_CAUSE INTR(IRQ_MSI), "MSI taken in U with MIE=0"
    ld a0, T_STATUS(gp)
    srli a0, a0, 11
    andi a0, a0, 3
    CHECK a0, PRV_U, "MSI from U: MPP = U"
    sw zero, 0(s2)
    csrw mie, zero

    /* ---------------- machine timer interrupt ---------------- */
    li t0, MIP_MTIP
    csrw mie, t0
    ld t1, 0(s4)
    li t0, 1 << 32                    /* far future (7 minutes) */
    add t1, t1, t0
    sd t1, 0(s3)
    MIP_BITS MIP_MTIP
    CHECK a0, 0, "timer not yet pending"
    ld t1, 0(s4)
    addi t1, t1, 200                  /* 20 us at 10 MHz */
    sd t1, 0(s3)
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_MTI), "timer interrupt taken"
    ld a0, 0(s4)
    ld a1, 0(s3)
    sltu a0, a0, a1
    CHECK a0, 0, "timer: mtime >= mtimecmp"
    MIP_BITS MIP_MTIP
    CHECK a0, MIP_MTIP, "timer: MTIP still pending"
    li t0, -1
    sd t0, 0(s3)
    MIP_BITS MIP_MTIP
    CHECK a0, 0, "writing mtimecmp clears MTIP"

    /* ---------------- wfi ---------------- */
    /* wfi wakes on a pending enabled interrupt even with MIE = 0 */
    ld t1, 0(s4)
    addi t1, t1, 1000
    sd t1, 0(s3)
    TRY_BEGIN
    wfi
    TRY_END
    CHECK_CAUSE CAUSE_NONE, "wfi with MIE=0 wakes without a trap"
    MIP_BITS MIP_MTIP
    CHECK a0, MIP_MTIP, "wfi woke with MTIP pending"
    ld a0, 0(s4)
    ld a1, 0(s3)
    sltu a0, a0, a1
    CHECK a0, 0, "wfi: mtime reached mtimecmp"
    /* with MIE = 1 the interrupt is taken, mepc after the wfi */
    /* 20000 ticks (2 ms of wall time without -icount): long enough that a
       busy host does not fire the timer before the wfi is reached. */
    ld t1, 0(s4)
    li t2, 20000
    add t1, t1, t2
    sd t1, 0(s3)
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    wfi
wfi_next:
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_MTI), "wfi + MIE: timer trap"
    CHECKM_LA T_EPC, wfi_next, "wfi + MIE: mepc = after wfi"
    li t0, -1
    sd t0, 0(s3)
    /* wfi with a software interrupt already pending returns at once */
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, 1
    sw t0, 0(s2)
    wfi
    sw zero, 0(s2)
    CHECK zero, 0, "wfi returns with MSI already pending"
    csrw mie, zero

    /* ---------------- priority: MSI before MTI ---------------- */
    li t0, 1
    sw t0, 0(s2)
    sd zero, 0(s3)
    li t0, MIP_MSIP | MIP_MTIP
    csrw mie, t0
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_MSI), "MSI has priority over MTI"
    sw zero, 0(s2)
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_MTI), "then MTI"
    li t0, -1
    sd t0, 0(s3)
    /* SSI (not delegated) vs MTI.  The spec orders MTI before SSI, but
     * QEMU 7.2 without AIA takes the lowest-numbered pending interrupt
     * (ctz of mip & mie), so SSI (1) wins over MTI (7).  Tested as QEMU. */
    sd zero, 0(s3)
    li t0, MIP_MTIP | (1 << IRQ_SSI)
    csrw mie, t0
    csrsi mip, 1 << IRQ_SSI
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_SSI), "SSI taken before MTI (QEMU 7.2 order)"
    csrci mip, 1 << IRQ_SSI
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    SPIN_WAIT
    TRY_END
    CHECK_CAUSE INTR(IRQ_MTI), "then MTI"
    li t0, -1
    sd t0, 0(s3)
    csrw mie, zero

    /* ---------------- supervisor interrupts, delegated ---------------- */
    la t0, __strap_entry
    csrw stvec, t0
    li t0, (1 << IRQ_SSI) | (1 << IRQ_STI)
    csrw mideleg, t0
    csrw mie, t0                      /* = sie bits SSIE, STIE */
    /* S-mode, SIE = 0: pending SSI not taken */
    csrci sstatus, MSTATUS_SIE
    csrsi mip, 1 << IRQ_SSI
    TRY_MODE PRV_S, s_no_sie
    CHECK_CAUSE CAUSE_ECALL_S, "delegated SSI with SIE=0: not taken in S"
    /* S-mode sets SIE: taken in S */
    sd zero, T_SCAUSE(gp)
    TRY_MODE PRV_S, s_enable
    CHECKM T_SCAUSE, INTR(IRQ_SSI), "delegated SSI taken in S: scause"
    CHECKM_LA T_SEPC, s_enable_next, "delegated SSI: sepc = next insn"
    CHECKM T_STVAL, 0, "delegated SSI: stval 0"
    ld a0, T_SSTATUS(gp)
    andi a1, a0, MSTATUS_SPIE
    CHECK a1, MSTATUS_SPIE, "delegated SSI: SPIE = 1"
    andi a1, a0, MSTATUS_SPP
    CHECK a1, MSTATUS_SPP, "delegated SSI: SPP = S"
    CHECK_CAUSE CAUSE_ECALL_S, "S handler then ecalls to M"
    /* from U: taken in S even with SIE = 0 */
    csrci sstatus, MSTATUS_SIE
    sd zero, T_SCAUSE(gp)
    TRY_MODE PRV_U, u_spin
    CHECKM T_SCAUSE, INTR(IRQ_SSI), "delegated SSI from U (SIE=0): scause"
    ld a0, T_SSTATUS(gp)
    andi a1, a0, MSTATUS_SPP
    CHECK a1, 0, "delegated SSI from U: SPP = U"
    csrci mip, 1 << IRQ_SSI
    /* in M-mode a delegated interrupt is never taken */
    csrsi mip, 1 << IRQ_SSI
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    TRY_END
    csrci mstatus, MSTATUS_MIE
    CHECK_CAUSE CAUSE_NONE, "delegated SSI not taken in M"
    csrci mip, 1 << IRQ_SSI
    /* S software sets its own SSIP through sip */
    sd zero, T_SCAUSE(gp)
    TRY_MODE PRV_S, s_self_ssi
    CHECKM T_SCAUSE, INTR(IRQ_SSI), "S sets sip.SSIP: taken in S"
    csrci mip, 1 << IRQ_SSI
    /* STIP written by M, delegated timer taken in S */
    sd zero, T_SCAUSE(gp)
    li t0, 1 << IRQ_STI
    csrs mip, t0
    TRY_MODE PRV_S, s_enable
    CHECKM T_SCAUSE, INTR(IRQ_STI), "delegated STI taken in S: scause"
    li t0, 1 << IRQ_STI
    csrc mip, t0
    /* sie gating in S: STIE clear */
    li t0, 1 << IRQ_SSI
    csrw mie, t0
    li t0, 1 << IRQ_STI
    csrs mip, t0
    TRY_MODE PRV_S, s_enable
    CHECK_CAUSE CAUSE_ECALL_S, "STI with sie.STIE=0: not taken"
    li t0, 1 << IRQ_STI
    csrc mip, t0
    /* machine interrupt preempts S even with mideleg set for S bits */
    li t0, MIP_MTIP
    csrw mie, t0
    sd zero, 0(s3)
    TRY_MODE PRV_S, s_enable
    CHECK_CAUSE INTR(IRQ_MTI), "MTI taken in M from S (MIE=0)"
    li t0, -1
    sd t0, 0(s3)
    csrw mie, zero
    csrw mideleg, zero
    csrci sstatus, MSTATUS_SIE
TEST_END

    .text
    .align 2
u_spin:
    SPIN_WAIT
    ecall
s_no_sie:
    nop
    nop
    ecall
s_enable:
    csrsi sstatus, MSTATUS_SIE
s_enable_next:
    SPIN_WAIT
    ecall
s_self_ssi:
    csrsi sstatus, MSTATUS_SIE
    csrsi sip, 1 << IRQ_SSI
    SPIN_WAIT
    ecall

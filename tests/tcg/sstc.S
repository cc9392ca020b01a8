/*
 * sstc.S - the supervisor timer compare extension (Sstc): stimecmp (0x14d)
 * and menvcfg.STCE (bit 63).
 *
 *   - who may access stimecmp: M always; S only with mcounteren.TM and
 *     menvcfg.STCE both set; U never (an S-level CSR);
 *   - which menvcfg bits are writable (QEMU 7.2's rv64: STCE, PBMTE and
 *     the CBO and FIOM fields);
 *   - mip.STIP follows time >= stimecmp, and with STCE = 1 M-mode writes
 *     to mip.STIP are ignored; with STCE = 0 they work as without Sstc;
 *   - the supervisor timer interrupt, taken in M and delegated to S, and
 *     wfi waking at a stimecmp deadline.
 *
 * The "# spin ..." and "# wfi ..." lines print how many loop iterations ran
 * before the interrupt and how far `time` was past stimecmp after wfi:
 * wall-clock dependent without -icount, exact with it, where
 * tests/functional/sstc_test.sh compares them with QEMU 7.2's.
 */
#include "test.h"

#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG  0x30a
#define CSR_TIME     0xc01
#define MIP_STIP     (1 << IRQ_STI)
#define STCE_BIT     63
#define COUNTEREN_TM 2
#define SPIN         2000000

/* a0 = mip & STIP */
.macro STIP_BIT
    csrr a0, mip
    andi a0, a0, MIP_STIP
.endm

.macro STCE_ON
    li t0, 1
    slli t0, t0, STCE_BIT
    csrs CSR_MENVCFG, t0
.endm

.macro STCE_OFF
    li t0, 1
    slli t0, t0, STCE_BIT
    csrc CSR_MENVCFG, t0
.endm

/* "# label 0x...": a TAP comment with the value of reg (kept). */
.macro PRINT_HEX label, reg
    addi sp, sp, -64
    sd a0, 0(sp)
    sd t0, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd t3, 32(sp)
    sd ra, 40(sp)
    sd \reg, 48(sp)
    LA_STR a0, "# \label "
    call __puts
    ld a0, 48(sp)
    call __puthex
    li a0, '\n'
    call __putc
    ld a0, 0(sp)
    ld t0, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld t3, 32(sp)
    ld ra, 40(sp)
    addi sp, sp, 64
.endm

TEST_BEGIN
    /* ---------------- reset values, M-mode access ---------------- */
    csrr a0, CSR_MENVCFG
    CHECK a0, 0, "menvcfg is 0 at reset"
    TRY csrr a0, CSR_STIMECMP
    CHECK_CAUSE CAUSE_NONE, "M reads stimecmp with STCE = 0"
    CHECK a0, 0, "stimecmp is 0 at reset"
    li a1, 0x123456789abc
    TRY csrw CSR_STIMECMP, a1
    CHECK_CAUSE CAUSE_NONE, "M writes stimecmp with STCE = 0"
    csrr a0, CSR_STIMECMP
    CHECK a0, 0x123456789abc, "stimecmp reads back all 64 bits"
    li t0, -1
    csrw CSR_MENVCFG, t0
    csrr a0, CSR_MENVCFG
    CHECK a0, 0xc0000000000000f1, "menvcfg writable bits as QEMU 7.2: STCE, PBMTE, CBZE, CBCFE, CBIE, FIOM"
    csrw CSR_MENVCFG, zero
    li t0, -1
    csrw CSR_STIMECMP, t0

    /* ---------------- STCE = 0: mip.STIP is software's ---------------- */
    li t0, MIP_STIP
    csrs mip, t0
    STIP_BIT
    CHECK a0, MIP_STIP, "STCE=0: M sets mip.STIP"
    li t0, MIP_STIP
    csrc mip, t0
    STIP_BIT
    CHECK a0, 0, "STCE=0: M clears mip.STIP"

    /* ---------------- STCE = 1: STIP follows time >= stimecmp ---------------- */
    STCE_ON
    csrw CSR_STIMECMP, zero
    STIP_BIT
    CHECK a0, MIP_STIP, "STCE=1, stimecmp = 0: STIP set"
    li t0, MIP_STIP
    csrc mip, t0
    STIP_BIT
    CHECK a0, MIP_STIP, "STCE=1: an M write cannot clear STIP"
    li t0, -1
    csrw CSR_STIMECMP, t0
    STIP_BIT
    CHECK a0, 0, "STCE=1, stimecmp = -1: STIP clear"
    li t0, MIP_STIP
    csrs mip, t0
    STIP_BIT
    CHECK a0, 0, "STCE=1: an M write cannot set STIP"
    csrr a1, CSR_TIME
    csrw CSR_STIMECMP, a1
    STIP_BIT
    CHECK a0, MIP_STIP, "stimecmp = time: STIP set"
    li t0, 1 << 40
    add a1, a1, t0
    csrw CSR_STIMECMP, a1
    STIP_BIT
    CHECK a0, 0, "stimecmp far ahead: STIP clear"

    /* ---------------- STCE = 1 -> 0: STIP stays, is writable again ---------------- */
    csrw CSR_STIMECMP, zero
    STCE_OFF
    STIP_BIT
    CHECK a0, MIP_STIP, "STCE 1 -> 0: STIP keeps its value"
    li t0, MIP_STIP
    csrc mip, t0
    STIP_BIT
    CHECK a0, 0, "STCE=0 again: M clears STIP"
    /* With STCE = 0 a write to stimecmp still drives STIP on QEMU 7.2
     * (printed rather than checked: the spec leaves STIP to software). */
    li t0, -1
    csrw CSR_STIMECMP, t0
    csrw CSR_STIMECMP, zero
    STIP_BIT
    PRINT_HEX "STCE=0, stimecmp = 0: mip.STIP", a0
    li t0, MIP_STIP
    csrc mip, t0

    /* ---------------- access from S and U ---------------- */
    li t0, -1
    csrw CSR_STIMECMP, t0
    csrw mcounteren, zero
    STCE_ON
    TRY_MODE PRV_S, s_read
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S reads stimecmp, TM=0 STCE=1: illegal"
    TRY_MODE PRV_S, s_write
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S writes stimecmp, TM=0 STCE=1: illegal"
    li t0, COUNTEREN_TM
    csrw mcounteren, t0
    STCE_OFF
    TRY_MODE PRV_S, s_read
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S reads stimecmp, TM=1 STCE=0: illegal"
    TRY_MODE PRV_S, s_write
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S writes stimecmp, TM=1 STCE=0: illegal"
    TRY_MODE PRV_S, s_time
    CHECK_CAUSE CAUSE_ECALL_S, "S reads time with TM=1 STCE=0"
    STCE_ON
    li a0, 0
    TRY_MODE PRV_S, s_read
    CHECK_CAUSE CAUSE_ECALL_S, "S reads stimecmp, TM=1 STCE=1"
    CHECK a0, -1, "S reads the value M wrote"
    TRY_MODE PRV_S, s_write
    CHECK_CAUSE CAUSE_ECALL_S, "S writes stimecmp, TM=1 STCE=1"
    csrr a0, CSR_STIMECMP
    CHECK a0, 1, "M reads the value S wrote"
    STIP_BIT
    CHECK a0, MIP_STIP, "S wrote a past stimecmp: STIP set"
    csrwi scounteren, COUNTEREN_TM
    TRY_MODE PRV_U, u_read
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "U reads stimecmp (TM, STCE, scounteren.TM): illegal"
    TRY_MODE PRV_U, u_time
    CHECK_CAUSE CAUSE_ECALL_U, "U reads time there"
    csrw scounteren, zero
    li t0, -1
    csrw CSR_STIMECMP, t0

    /* ---------------- the interrupt, taken in M ---------------- */
    li t0, MIP_STIP
    csrw mie, t0
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    csrr t1, CSR_TIME
    addi t1, t1, 30
    li t0, 0
    csrw CSR_STIMECMP, t1
1:  addi t0, t0, 1
    li t1, SPIN
    bltu t0, t1, 1b
    TRY_END
    CHECK_CAUSE INTR(IRQ_STI), "STI taken in M at the stimecmp deadline"
    PRINT_HEX "spin iterations before STI in M:", t0
    csrr a1, CSR_TIME
    csrr a2, CSR_STIMECMP
    sltu a0, a1, a2
    CHECK a0, 0, "STI in M: time >= stimecmp"
    li t0, -1
    csrw CSR_STIMECMP, t0
    TRY_BEGIN
    csrsi mstatus, MSTATUS_MIE
    nop
    TRY_END
    CHECK_CAUSE CAUSE_NONE, "a future stimecmp withdraws STI"

    /* ---------------- delegated to S, armed from S ---------------- */
    la t0, __strap_entry
    csrw stvec, t0
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    sd zero, T_SCAUSE(gp)
    TRY_MODE PRV_S, s_timer
    CHECKM T_SCAUSE, INTR(IRQ_STI), "delegated STI taken in S"
    CHECK_CAUSE CAUSE_ECALL_S, "S handler then ecalls to M"
    PRINT_HEX "spin iterations before STI in S:", t0
    csrr a0, sip
    andi a0, a0, MIP_STIP
    CHECK a0, MIP_STIP, "sip.STIP set while time >= stimecmp"
    li t0, -1
    csrw CSR_STIMECMP, t0
    csrr a0, sip
    andi a0, a0, MIP_STIP
    CHECK a0, 0, "sip.STIP clear after a future stimecmp"
    csrw mideleg, zero

    /* ---------------- wfi wakes at the deadline ---------------- */
    li t0, MIP_STIP
    csrw mie, t0
    csrci mstatus, MSTATUS_MIE
    csrr a1, CSR_TIME
    li t0, 5000                       /* 500 us at 10 MHz */
    add a1, a1, t0
    csrw CSR_STIMECMP, a1
    TRY_BEGIN
    wfi
    TRY_END
    CHECK_CAUSE CAUSE_NONE, "wfi with MIE=0 wakes without a trap"
    STIP_BIT
    CHECK a0, MIP_STIP, "wfi woke with STIP pending"
    csrr a2, CSR_TIME
    sltu a0, a2, a1
    CHECK a0, 0, "wfi: time reached stimecmp"
    sub a2, a2, a1
    PRINT_HEX "wfi: ticks past stimecmp on waking:", a2
    li t0, -1
    csrw CSR_STIMECMP, t0
    csrw mie, zero
    STCE_OFF
    csrw mcounteren, zero
TEST_END

/* S-mode snippets: each ends with ecall (or traps before it). */
s_read:
    csrr a0, CSR_STIMECMP
    ecall
s_write:
    li t0, 1
    csrw CSR_STIMECMP, t0
    ecall
s_time:
    csrr a0, CSR_TIME
    ecall
/* S arms stimecmp 30 ticks ahead, enables SIE and spins: the delegated
 * interrupt goes to __strap_entry, which ecalls back to M. */
s_timer:
    csrr t1, CSR_TIME
    addi t1, t1, 30
    li t0, 0
    csrw CSR_STIMECMP, t1
    csrsi sstatus, MSTATUS_SIE
1:  addi t0, t0, 1
    li t1, SPIN
    bltu t0, t1, 1b
    ecall
u_read:
    csrr a0, CSR_STIMECMP
    ecall
u_time:
    csrr a0, CSR_TIME
    ecall

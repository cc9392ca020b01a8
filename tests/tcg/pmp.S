/*
 * pmp.S - physical memory protection (QEMU 7.2: 16 entries, 4-byte grain):
 * NAPOT, TOR and NA4 regions denying or restricting S/U loads, stores and
 * fetches (access faults with mtval = address), lowest-numbered entry wins,
 * accesses straddling a region boundary, M-mode unaffected unless the entry
 * is locked or MPRV applies, locked entries binding M-mode and ignoring
 * writes.  crt0 keeps a catch-all RWX entry in slot 15.
 */
#include "test.h"

#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L     0x80

/* a0 = NAPOT pmpaddr of the 4 KiB page at symbol */
.macro NAPOT4K reg, sym
    la \reg, \sym
    srli \reg, \reg, 2
    ori \reg, \reg, 0x1ff
.endm

TEST_BEGIN
    /* ---------------- CSR behaviour ---------------- */
    li a1, 0x12345678
    csrw pmpaddr3, a1
    CHECK_CSR pmpaddr3, 0x12345678, "pmpaddr3 write/read"
    li a1, 0x3fffffffffffff
    csrw pmpaddr3, a1
    CHECK_CSR pmpaddr3, 0x3fffffffffffff, "pmpaddr holds 54 bits"
    csrw pmpaddr3, zero
    li a1, (PMP_NAPOT | PMP_R) << 8
    csrw pmpcfg0, a1
    CHECK_CSR pmpcfg0, (PMP_NAPOT | PMP_R) << 8, "pmpcfg0 entry 1 write/read"
    csrw pmpcfg0, zero

    /* ---------------- NAPOT, no permissions ---------------- */
    NAPOT4K a1, dpage
    csrw pmpaddr0, a1
    li a1, PMP_NAPOT
    csrw pmpcfg0, a1
    la a1, dpage
    TRY_MODE PRV_U, u_load
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "NAPOT ---: U load faults"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "NAPOT ---: mtval = address"
    TRY_MODE PRV_S, u_load
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "NAPOT ---: S load faults"
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "NAPOT ---: U store faults"
    la a1, dpage + 4095
    TRY_MODE PRV_U, u_loadb
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "NAPOT ---: last byte faults"
    addi a1, a1, 1
    TRY_MODE PRV_U, u_loadb
    CHECK_CAUSE CAUSE_ECALL_U, "NAPOT ---: byte after the region ok"
    la a1, dpage
    addi a1, a1, -1
    TRY_MODE PRV_U, u_loadb
    CHECK_CAUSE CAUSE_ECALL_U, "NAPOT ---: byte before the region ok"
    la a1, dpage
    TRY ld a0, 0(a1)
    CHECK_CAUSE CAUSE_NONE, "NAPOT ---: M-mode not affected"
    /* MPRV = 1, MPP = U: M-mode loads/stores checked as U */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    TRY ld a0, 0(a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "MPRV+MPP=U: M load checked as U"

    /* fetch: region over a page of code */
    NAPOT4K a1, xpage
    csrw pmpaddr0, a1
    li a1, PMP_NAPOT | PMP_R
    csrw pmpcfg0, a1
    la a1, xpage
    TRY_MODE_REG PRV_U, a1
    CHECK_CAUSE CAUSE_FETCH_ACCESS, "NAPOT R--: U fetch faults"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "fetch fault: mtval = pc"
    ld a0, T_EPC(gp)
    CHECKR a0, a1, "fetch fault: mepc = pc"
    TRY_MODE PRV_U, u_load
    CHECK_CAUSE CAUSE_ECALL_U, "NAPOT R--: U load ok"
    li a1, PMP_NAPOT | PMP_X
    csrw pmpcfg0, a1
    la a1, xpage
    TRY_MODE_REG PRV_U, a1
    CHECK_CAUSE CAUSE_ECALL_U, "NAPOT --X: U fetch ok"
    TRY_MODE PRV_U, u_load
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "NAPOT --X: U load faults"

    /* R only: loads ok, stores and AMOs fault */
    NAPOT4K a1, dpage
    csrw pmpaddr0, a1
    li a1, PMP_NAPOT | PMP_R
    csrw pmpcfg0, a1
    la a1, dpage
    TRY_MODE PRV_U, u_load
    CHECK_CAUSE CAUSE_ECALL_U, "NAPOT R--: load ok"
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "NAPOT R--: store faults"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "store fault: mtval = address"
    TRY_MODE PRV_S, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "NAPOT R--: S store faults"
    /* RW: both fine */
    li a1, PMP_NAPOT | PMP_R | PMP_W
    csrw pmpcfg0, a1
    la a1, dpage
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_ECALL_U, "NAPOT RW-: store ok"

    /* ---------------- TOR ---------------- */
    /* entry 1 TOR [dpage+0x100, dpage+0x200): read-only; entry 0 off */
    la a1, dpage + 0x100
    srli a1, a1, 2
    csrw pmpaddr0, a1
    la a1, dpage + 0x200
    srli a1, a1, 2
    csrw pmpaddr1, a1
    li a1, (PMP_TOR | PMP_R) << 8
    csrw pmpcfg0, a1
    la a1, dpage + 0x100
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "TOR R--: store at base faults"
    la a1, dpage + 0x1f8
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "TOR R--: store at top-8 faults"
    TRY_MODE PRV_U, u_load
    CHECK_CAUSE CAUSE_ECALL_U, "TOR R--: load ok"
    la a1, dpage + 0x200
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_ECALL_U, "TOR: top is exclusive"
    la a1, dpage + 0xf8
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_ECALL_U, "TOR: below base not matched"
    /* an access straddling the region boundary fails */
    la a1, dpage + 0xfc
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "TOR: 8-byte store straddling base faults"
    /* TOR entry 0 uses address 0 as its base */
    la a1, dpage
    srli a1, a1, 2
    csrw pmpaddr0, a1
    li a1, PMP_TOR
    csrw pmpcfg0, a1
    la a1, dpage
    TRY_MODE PRV_U, u_loadb             /* the code itself is below dpage */
    CHECK_CAUSE CAUSE_FETCH_ACCESS, "TOR entry 0: [0, top) denied (fetch)"

    /* ---------------- NA4 and priority ---------------- */
    la a1, dpage + 0x40
    srli a1, a1, 2
    csrw pmpaddr0, a1
    NAPOT4K a1, dpage
    csrw pmpaddr1, a1
    /* entry 0 NA4 RW over 4 bytes, entry 1 NAPOT --- over the page */
    li a1, (PMP_NA4 | PMP_R | PMP_W) | (PMP_NAPOT << 8)
    csrw pmpcfg0, a1
    la a1, dpage + 0x40
    TRY_MODE PRV_U, u_storew
    CHECK_CAUSE CAUSE_ECALL_U, "NA4 RW wins over later NAPOT ---"
    la a1, dpage + 0x44
    TRY_MODE PRV_U, u_storew
    CHECK_CAUSE CAUSE_STORE_ACCESS, "next word falls to NAPOT ---"
    la a1, dpage + 0x3c
    TRY_MODE PRV_U, u_storew
    CHECK_CAUSE CAUSE_STORE_ACCESS, "previous word falls to NAPOT ---"
    /* swapped priorities: NAPOT --- first hides the NA4 RW entry */
    la a1, dpage + 0x40
    srli a1, a1, 2
    csrw pmpaddr1, a1
    NAPOT4K a1, dpage
    csrw pmpaddr0, a1
    li a1, PMP_NAPOT | ((PMP_NA4 | PMP_R | PMP_W) << 8)
    csrw pmpcfg0, a1
    la a1, dpage + 0x40
    TRY_MODE PRV_U, u_storew
    CHECK_CAUSE CAUSE_STORE_ACCESS, "lower-numbered NAPOT --- wins"
    /* an OFF entry matches nothing */
    li a1, (PMP_NA4 | PMP_R | PMP_W) << 8
    csrw pmpcfg0, a1
    la a1, dpage + 0x80
    TRY_MODE PRV_U, u_storew
    CHECK_CAUSE CAUSE_ECALL_U, "OFF entry does not match"
    csrw pmpcfg0, zero

    /* ---------------- locked entries ---------------- */
    /* entry 2: NAPOT R-- locked over lpage: binds M-mode too */
    NAPOT4K a1, lpage
    csrw pmpaddr2, a1
    li a1, (PMP_NAPOT | PMP_R | PMP_L) << 16
    csrw pmpcfg0, a1
    CHECK_CSR pmpcfg0, (PMP_NAPOT | PMP_R | PMP_L) << 16, "locked cfg reads back"
    la a1, lpage
    TRY ld a0, 0(a1)
    CHECK_CAUSE CAUSE_NONE, "locked R--: M load ok"
    TRY sd a0, 0(a1)
    CHECK_CAUSE CAUSE_STORE_ACCESS, "locked R--: M store faults"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "locked: mtval = address"
    TRY_MODE PRV_U, u_store
    CHECK_CAUSE CAUSE_STORE_ACCESS, "locked R--: U store faults"
    /* writes to a locked entry are ignored */
    li a1, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 16
    csrw pmpcfg0, a1
    CHECK_CSR pmpcfg0, (PMP_NAPOT | PMP_R | PMP_L) << 16, "locked cfg write ignored"
    csrr a2, pmpaddr2
    csrw pmpaddr2, zero
    csrr a0, pmpaddr2
    CHECKR a0, a2, "locked pmpaddr write ignored"
    la a1, lpage
    TRY sd a0, 0(a1)
    CHECK_CAUSE CAUSE_STORE_ACCESS, "still read-only after the writes"
    /* other entries of the same pmpcfg stay writable */
    li a1, ((PMP_NAPOT | PMP_R | PMP_L) << 16) | PMP_NA4
    csrw pmpcfg0, a1
    CHECK_CSR pmpcfg0, ((PMP_NAPOT | PMP_R | PMP_L) << 16) | PMP_NA4, "unlocked neighbour writable"
    csrw pmpcfg0, zero
TEST_END

    .text
    .align 2
u_load:
    ld a0, 0(a1)
    ecall
u_loadb:
    lbu a0, 0(a1)
    ecall
u_store:
    sd a0, 0(a1)
    ecall
u_storew:
    sw a0, 0(a1)
    ecall

    .balign 4096
xpage:
    ecall
    .balign 4096

    .section .pages, "aw", @nobits
    .align 12
dpage: .space 4096
lpage: .space 4096

/*
 * vm.h - page-table helpers and the virtual-memory checks shared by sv39.S
 * and sv48.S.  The including file defines SATP_MODE, builds its top level
 * so that the Sv39-sized subtree `l2` covers VA 0..512 GiB, then invokes
 * VM_BUILD_COMMON and VM_TESTS_COMMON.
 *
 * VA layout of the common subtree (PA = physical address):
 *   0x40000000  1 GiB  U alias of PA 0x80000000 (U-mode runs code here)
 *   0x80000000  1 GiB  identity, RWX, non-U (S-mode code, data, gp)
 *   0xC0000000  -> l1 -> l0: 4 KiB test pages (table below)
 *   0xC0200000  2 MiB  PA 0x80400000, RW
 *   0xC0400000  2 MiB  misaligned PPN (PA 0x80401000): page fault
 *   0xC0600000  invalid level-1 entry
 *   0x100000000 1 GiB  PA 0x80000000, read-only
 *   0x140000000 1 GiB  misaligned PPN (PA 0x80200000): page fault
 *
 * QEMU 7.2 sets A and D in hardware (atomic PTE update) on the first access
 * (A) / first store (D); a faulting access leaves the PTE untouched.
 */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define PTE_RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define TPAGE(n)  (0xC0000000 + (n) * 0x1000)
#define UALIAS    (0x80000000 - 0x40000000)   /* PA - UALIAS = U-mode VA */

/* table[idx] = PTE(PA in pa_reg, flags); clobbers t1, t2 */
.macro PTE_SET table, idx, pa_reg, flags
    srli t1, \pa_reg, 12
    slli t1, t1, 10
    ori t1, t1, \flags
    la t2, \table
    li t3, (\idx) * 8
    add t2, t2, t3
    sd t1, 0(t2)
.endm
/* same with a PA given as a symbol or constant expression */
.macro PTE_SYM table, idx, sym, flags
    la t0, \sym
    PTE_SET \table, \idx, t0, \flags
.endm
.macro PTE_PA table, idx, pa, flags
    li t0, \pa
    PTE_SET \table, \idx, t0, \flags
.endm
/* a0 = table[idx] */
.macro PTE_GET table, idx
    la a0, \table
    ld a0, (\idx) * 8(a0)
.endm
/* zero a 4 KiB table */
.macro ZERO_PAGE sym
    la t0, \sym
    li t1, 512
.Lzp\@:
    sd zero, 0(t0)
    addi t0, t0, 8
    addi t1, t1, -1
    bnez t1, .Lzp\@
.endm
/* load the U-mode alias VA of a label */
.macro LA_U reg, sym
    la \reg, \sym
    li t0, UALIAS
    sub \reg, \reg, t0
.endm
/* check the recorded trap: cause and tval == VA in register */
.macro CHECK_PF cause, va_reg, desc
    CHECK_CAUSE \cause, "\desc"
    ld a0, T_TVAL(gp)
    CHECKR a0, \va_reg, "\desc: tval = VA"
.endm

.macro VM_BUILD_COMMON
    ZERO_PAGE l2
    ZERO_PAGE l1
    ZERO_PAGE l0
    PTE_PA  l2, 1, 0x80000000, PTE_RWXAD | PTE_U
    PTE_PA  l2, 2, 0x80000000, PTE_RWXAD | PTE_G
    PTE_SYM l2, 3, l1, PTE_V
    PTE_PA  l2, 4, 0x80000000, PTE_V | PTE_R | PTE_A | PTE_D
    PTE_PA  l2, 5, 0x80200000, PTE_RWXAD
    PTE_SYM l1, 0, l0, PTE_V
    PTE_PA  l1, 1, 0x80400000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    PTE_PA  l1, 2, 0x80401000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    /* l0: one 4 KiB page per test */
    PTE_SYM l0, 0, dA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D      /* RW */
    PTE_SYM l0, 1, dB, PTE_V | PTE_R | PTE_A                      /* R- */
    /* l0[2] invalid */
    PTE_SYM l0, 3, dC, PTE_V                                      /* non-leaf at level 0 */
    PTE_SYM l0, 4, dA, PTE_V | PTE_W | PTE_A | PTE_D              /* W without R */
    PTE_SYM l0, 5, xcode, PTE_V | PTE_X | PTE_A                   /* X only */
    PTE_SYM l0, 6, dA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D  /* U data */
    PTE_SYM l0, 7, xcode, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A   /* U code */
    PTE_SYM l0, 8, dC, PTE_V | PTE_R | PTE_W                      /* A=D=0: load */
    PTE_SYM l0, 9, dD, PTE_V | PTE_R | PTE_W                      /* A=D=0: store */
    PTE_SYM l0, 10, xcode, PTE_V | PTE_R | PTE_X                  /* A=0: fetch */
    PTE_SYM l0, 11, dA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D     /* remapped by sfence test */
    PTE_SYM l0, 12, dD, PTE_V | PTE_R | PTE_W | PTE_A             /* D=0 */
    PTE_SYM l0, 13, dB, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D     /* followed by ... */
    /* l0[14] invalid: page-crossing accesses */
    PTE_SYM l0, 15, dC, PTE_V | PTE_R                             /* A=0, read-only */
    PTE_SYM l0, 16, xcode, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D  /* S code */
.endm

.macro VM_TESTS_COMMON
    /* data patterns at the physical pages */
    la t0, dA
    li t1, 0xaaaa0000aaaa0000
    sd t1, 0(t0)
    la t0, dB
    li t1, 0xbbbb0000bbbb0000
    sd t1, 0(t0)
    li t2, 4088
    add t0, t0, t2
    sd t1, 0(t0)
    li t0, 0x80401234
    li t1, 0x2222222222222222
    sd t1, 0(t0)

    /* ---------------- basic 4 KiB page ---------------- */
    li a1, TPAGE(0)
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "4K RW: S load ok"
    CHECK a0, 0xaaaa0000aaaa0000, "4K RW: S load reads the PA"
    li a1, TPAGE(0) + 8
    li a2, 0x5151
    TRY_MODE PRV_S, vm_store
    CHECK_CAUSE CAUSE_ECALL_S, "4K RW: S store ok"
    la t0, dA
    ld a0, 8(t0)
    CHECK a0, 0x5151, "4K RW: store reached the PA"
    /* M-mode is not translated */
    la t0, vm_load
    csrr a0, satp
    srli a0, a0, 60
    CHECK a0, SATP_MODE, "satp mode set"

    /* ---------------- permissions ---------------- */
    li a1, TPAGE(1)
    TRY_MODE PRV_S, vm_load
    CHECK a0, 0xbbbb0000bbbb0000, "4K R-: S load ok"
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "4K R-: store page fault"
    TRY_MODE PRV_S, vm_amo
    CHECK_PF CAUSE_STORE_PAGE, a1, "4K R-: AMO page fault"
    li a1, TPAGE(2)
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "invalid PTE: load page fault"
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "invalid PTE: store page fault"
    TRY_MODE_REG PRV_S, a1
    CHECK_PF CAUSE_FETCH_PAGE, a1, "invalid PTE: fetch page fault"
    ld a0, T_EPC(gp)
    CHECKR a0, a1, "fetch page fault: mepc = VA"
    li a1, TPAGE(3)
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "non-leaf PTE at level 0: page fault"
    li a1, TPAGE(4)
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "W without R: load page fault"
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "W without R: store page fault"
    /* execute-only page */
    li a1, TPAGE(5)
    TRY_MODE_REG PRV_S, a1
    CHECK_CAUSE CAUSE_ECALL_S, "X-only: S fetch ok"
    ld a0, T_EPC(gp)
    CHECKR a0, a1, "X-only: ran the ecall at the VA"
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "X-only: load page fault"
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    TRY_MODE PRV_S, vm_loadw
    CHECK_CAUSE CAUSE_ECALL_S, "X-only + MXR: load ok"
    CHECK a0, 0x00000073, "X-only + MXR: reads the code"
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "X-only + MXR: store still faults"
    li t0, MSTATUS_MXR
    csrc mstatus, t0
    li a1, TPAGE(0)
    TRY_MODE_REG PRV_S, a1
    CHECK_PF CAUSE_FETCH_PAGE, a1, "RW- page: fetch page fault"

    /* ---------------- U bit and SUM ---------------- */
    li a1, TPAGE(6)
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "U page: S load faults (SUM=0)"
    li t0, MSTATUS_SUM
    csrs mstatus, t0
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "U page: S load ok with SUM"
    CHECK a0, 0xaaaa0000aaaa0000, "U page + SUM: value"
    li a1, TPAGE(6) + 16
    li a2, 0x6666
    TRY_MODE PRV_S, vm_store
    CHECK_CAUSE CAUSE_ECALL_S, "U page: S store ok with SUM"
    li a1, TPAGE(7)
    TRY_MODE_REG PRV_S, a1
    CHECK_PF CAUSE_FETCH_PAGE, a1, "U page: S fetch faults even with SUM"
    li t0, MSTATUS_SUM
    csrc mstatus, t0
    li a1, TPAGE(7)
    TRY_MODE_REG PRV_U, a1
    CHECK_CAUSE CAUSE_ECALL_U, "U page: U fetch ok"
    LA_U s5, vm_load
    li a1, TPAGE(6)
    TRY_MODE_REG PRV_U, s5
    CHECK_CAUSE CAUSE_ECALL_U, "U page: U load ok"
    li a1, TPAGE(0)
    TRY_MODE_REG PRV_U, s5
    CHECK_PF CAUSE_LOAD_PAGE, a1, "non-U page: U load faults"
    li a1, TPAGE(5)
    TRY_MODE_REG PRV_U, a1
    CHECK_PF CAUSE_FETCH_PAGE, a1, "non-U page: U fetch faults"
    la a1, xcode                        /* identity map is non-U */
    TRY_MODE_REG PRV_U, a1
    CHECK_PF CAUSE_FETCH_PAGE, a1, "U fetch from the S gigapage faults"

    /* ---------------- A and D bits (QEMU: set by hardware) ---------------- */
    li a1, TPAGE(8)
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "A=0 page: load ok (no fault)"
    PTE_GET l0, 8
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, PTE_A, "load sets A, not D"
    li a1, TPAGE(9)
    TRY_MODE PRV_S, vm_store
    CHECK_CAUSE CAUSE_ECALL_S, "A=D=0 page: store ok"
    PTE_GET l0, 9
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, PTE_A | PTE_D, "store sets A and D"
    li a1, TPAGE(10)
    TRY_MODE_REG PRV_S, a1
    CHECK_CAUSE CAUSE_ECALL_S, "A=0 code page: fetch ok"
    PTE_GET l0, 10
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, PTE_A, "fetch sets A"
    li a1, TPAGE(12)
    TRY_MODE PRV_S, vm_load
    PTE_GET l0, 12
    andi a0, a0, PTE_D
    CHECK a0, 0, "D=0 page: load leaves D"
    TRY_MODE PRV_S, vm_store
    PTE_GET l0, 12
    andi a0, a0, PTE_D
    CHECK a0, PTE_D, "D=0 page: store after load sets D"
    li a1, TPAGE(15)
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "read-only A=0 page: store faults"
    PTE_GET l0, 15
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, 0, "faulting store leaves A/D clear"
    /* MPRV: M-mode load translated as S (MPP = S) also sets A */
    PTE_SYM l0, 8, dC, PTE_V | PTE_R | PTE_W
    sfence.vma
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPRV
    csrs mstatus, t0
    li a1, TPAGE(0)
    ld a3, 0(a1)
    li a1, TPAGE(8)
    ld a4, 0(a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK a3, 0xaaaa0000aaaa0000, "MPRV + MPP=S: M load translated"
    PTE_GET l0, 8
    andi a0, a0, PTE_A
    CHECK a0, PTE_A, "MPRV load sets A"
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPRV
    csrs mstatus, t0
    li a1, TPAGE(6)                     /* U page, SUM = 0 */
    TRY ld a3, 0(a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_PF CAUSE_LOAD_PAGE, a1, "MPRV + MPP=S: U page faults"

    /* ---------------- superpages ---------------- */
    li a1, 0xC0200000 + 0x1234
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "2M page: load ok"
    CHECK a0, 0x2222222222222222, "2M page: offset within page"
    li a1, 0xC0400000 + 0x1234
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "misaligned 2M page: page fault"
    li a1, 0xC0600000
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "invalid level-1 entry: page fault"
    la a1, dA
    li t0, 0x100000000 - 0x80000000
    add a1, a1, t0
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "1G alias: load ok"
    CHECK a0, 0xaaaa0000aaaa0000, "1G alias: same PA"
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "1G read-only alias: store faults"
    li a1, 0x140000000 + 0x3000
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "misaligned 1G page: page fault"

    /* ---------------- sfence.vma ---------------- */
    li a1, TPAGE(11)
    TRY_MODE PRV_S, vm_load
    CHECK a0, 0xaaaa0000aaaa0000, "sfence: old mapping"
    PTE_SYM l0, 11, dB, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    TRY_MODE PRV_S, vm_sfence_load
    CHECK_CAUSE CAUSE_ECALL_S, "sfence.vma in S"
    CHECK a0, 0xbbbb0000bbbb0000, "sfence.vma: new mapping"
    PTE_SYM l0, 11, dA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    TRY_MODE PRV_S, vm_sfence_va_load
    CHECK a0, 0xaaaa0000aaaa0000, "sfence.vma va: new mapping"
    la t0, l0
    sd zero, 11 * 8(t0)
    TRY_MODE PRV_S, vm_sfence_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "sfence.vma: invalidated PTE faults"

    /* ---------------- page-crossing access ---------------- */
    li a1, TPAGE(13) + 4092              /* 8 bytes, 4 in each page */
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_LOAD_PAGE, "ld across into invalid page: page fault"
    CHECK_TVAL TPAGE(14), "cross-page ld: tval = start of the invalid page"
    li a2, 0x1234567812345678
    TRY_MODE PRV_S, vm_store
    CHECK_CAUSE CAUSE_STORE_PAGE, "sd across into invalid page: page fault"
    CHECK_TVAL TPAGE(14), "cross-page sd: tval = start of the invalid page"
    la t0, dB
    li t2, 4088
    add t0, t0, t2
    ld a0, 0(t0)
    CHECK a0, 0xbbbb0000bbbb0000, "faulting cross-page sd wrote nothing"
    li a1, TPAGE(13) + 4088
    TRY_MODE PRV_S, vm_load
    CHECK a0, 0xbbbb0000bbbb0000, "ld at the end of the valid page ok"

    /* ---------------- delegated page fault ---------------- */
    la t0, __strap_entry
    csrw stvec, t0
    li t0, (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE) | (1 << CAUSE_FETCH_PAGE)
    csrw medeleg, t0
    li a1, TPAGE(2) + 0x10
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "delegated: S handler ecalls"
    CHECKM T_SCAUSE, CAUSE_LOAD_PAGE, "delegated load page fault: scause"
    ld a0, T_STVAL(gp)
    CHECKR a0, a1, "delegated: stval = VA"
    CHECKM_LA T_SEPC, vm_load, "delegated: sepc"
    li a1, TPAGE(1)
    TRY_MODE_REG PRV_U, s5              /* U load from non-U page */
    CHECKM T_SCAUSE, CAUSE_LOAD_PAGE, "delegated from U: scause"
    ld a0, T_SSTATUS(gp)
    andi a0, a0, MSTATUS_SPP
    CHECK a0, 0, "delegated from U: SPP = U"
    li a1, TPAGE(2)
    TRY_MODE_REG PRV_S, a1
    CHECKM T_SCAUSE, CAUSE_FETCH_PAGE, "delegated fetch page fault: scause"
    ld a0, T_STVAL(gp)
    CHECKR a0, a1, "delegated fetch: stval = VA"
    csrw medeleg, zero
.endm

/* snippets (identity-mapped code; U-mode uses their UALIAS addresses) */
.macro VM_SNIPPETS
    .text
    .align 2
vm_load:
    ld a0, 0(a1)
    ecall
vm_loadw:
    lw a0, 0(a1)
    ecall
vm_store:
    sd a2, 0(a1)
    ecall
vm_amo:
    amoadd.d a0, a2, (a1)
    ecall
vm_sfence_load:
    sfence.vma
    ld a0, 0(a1)
    ecall
vm_sfence_va_load:
    sfence.vma a1, zero
    ld a0, 0(a1)
    ecall
    .balign 4096
xcode:
    ecall
    .balign 4096

    .section .pages, "aw", @nobits
    .align 12
l2: .space 4096
l1: .space 4096
l0: .space 4096
dA: .space 4096
dB: .space 4096
dC: .space 4096
dD: .space 4096
.endm

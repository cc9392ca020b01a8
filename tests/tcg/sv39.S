/*
 * sv39.S - Sv39 translation with page tables built by the test: 4 KiB,
 * 2 MiB and 1 GiB pages, misaligned superpages, invalid / non-leaf-at-level-0
 * / W-without-R PTEs, R/W/X permissions, U bit with SUM, MXR, MPRV, A/D
 * bits as QEMU 7.2 sets them (in hardware), sfence.vma, page-crossing
 * accesses, page faults with tval = VA, delegation to S, and VAs that are
 * not sign-extended from bit 38.  Most checks live in include/vm.h, shared
 * with sv48.S.
 */
#include "test.h"
#define SATP_MODE 8
#include "vm.h"

TEST_BEGIN
    VM_BUILD_COMMON
    la t0, l2
    srli t0, t0, 12
    li t1, SATP_MODE << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    VM_TESTS_COMMON

    /* ---------------- Sv39 only: VA must be sign-extended from bit 38 ---------------- */
    li a1, 0x0000008000000000 + 0x80001000  /* bit 39 set, bit 38 clear */
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "Sv39 non-canonical VA (bit 39): page fault"
    li a1, 0x8000000080001000               /* bit 63 only */
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "Sv39 non-canonical VA (bit 63): page fault"
    li a1, 0x0000004000000000               /* bit 38 set: not sign-extended */
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "Sv39 VA with bit 38 only: page fault"
    li a1, 0xffffffc000000000               /* canonical, root[256] empty */
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "Sv39 canonical high VA, unmapped: page fault"
    /* map root[258] (the high-half VA 0xffffffc080000000) to the
     * identity gigapage and read through it */
    PTE_PA l2, 258, 0x80000000, PTE_V | PTE_R | PTE_A
    sfence.vma
    li a1, 0xffffffc080000000
    la t0, dA
    li t1, 0x80000000
    sub t0, t0, t1
    add a1, a1, t0
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "Sv39 high-half gigapage: load ok"
    CHECK a0, 0xaaaa0000aaaa0000, "Sv39 high-half gigapage: value"

    csrw satp, zero
    sfence.vma
TEST_END

VM_SNIPPETS

/*
 * sv48.S - Sv48 translation: the checks shared with sv39.S (include/vm.h)
 * run under a 4-level table whose root entry 0 points to the common Sv39-
 * sized subtree; then the Sv48-only cases: VAs above 2^38, 512 GiB pages
 * (aligned and misaligned), an invalid level-3 entry, the canonical high
 * half, and VAs not sign-extended from bit 47.
 */
#include "test.h"
#define SATP_MODE 9
#include "vm.h"

TEST_BEGIN
    ZERO_PAGE l3
    VM_BUILD_COMMON
    PTE_SYM l3, 0, l2, PTE_V                  /* VA 0 .. 512 GiB */
    PTE_PA  l3, 1, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D   /* 512G page, PA 0 */
    PTE_PA  l3, 2, 0x80000000, PTE_V | PTE_R | PTE_A          /* misaligned 512G */
    /* l3[3] invalid */
    PTE_SYM l3, 256, l2, PTE_V                /* high half shares the subtree */
    PTE_PA  l2, 256, 0x80000000, PTE_V | PTE_R | PTE_A | PTE_D /* VA 256 GiB */
    la t0, l3
    srli t0, t0, 12
    li t1, SATP_MODE << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    VM_TESTS_COMMON

    /* ---------------- Sv48 only ---------------- */
    la t0, dA
    li t1, 0x80000000
    sub s6, t0, t1                            /* s6 = offset of dA in RAM */
    li a1, 0x4000000000                       /* bit 38: canonical in Sv48 */
    add a1, a1, s6
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "VA above 2^38: load ok"
    CHECK a0, 0xaaaa0000aaaa0000, "VA above 2^38: value"
    li a1, 0x8000000000 + 0x80000000          /* 512G page at PA 0 */
    add a1, a1, s6
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "512G page: load ok"
    CHECK a0, 0xaaaa0000aaaa0000, "512G page: value"
    li a2, 0x4848
    addi a1, a1, 24
    TRY_MODE PRV_S, vm_store
    CHECK_CAUSE CAUSE_ECALL_S, "512G page: store ok"
    la t0, dA
    ld a0, 24(t0)
    CHECK a0, 0x4848, "512G page: store reached the PA"
    li a1, 0x10000000000 + 0x1000
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "misaligned 512G page: page fault"
    li a1, 0x18000000000
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "invalid level-3 entry: page fault"
    li a1, 0xffff800080000000                 /* l3[256] -> l2[2] identity */
    add a1, a1, s6
    TRY_MODE PRV_S, vm_load
    CHECK_CAUSE CAUSE_ECALL_S, "canonical high half: load ok"
    CHECK a0, 0xaaaa0000aaaa0000, "canonical high half: value"
    li a1, 0x0000800080000000                 /* bit 47 without sign-extension */
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "Sv48 non-canonical VA (bit 47): page fault"
    li a1, 0x0001000080000000                 /* bit 48 */
    TRY_MODE PRV_S, vm_store
    CHECK_PF CAUSE_STORE_PAGE, a1, "Sv48 non-canonical VA (bit 48): page fault"
    li a1, 0xfffe000080000000                 /* bits 63:49 set, 48:47 clear */
    TRY_MODE PRV_S, vm_load
    CHECK_PF CAUSE_LOAD_PAGE, a1, "Sv48 non-canonical VA (high): page fault"

    csrw satp, zero
    sfence.vma
TEST_END

VM_SNIPPETS
    .section .pages, "aw", @nobits
    .align 12
l3: .space 4096

/*
 * remap_code.S - code at a virtual address whose mapping changes while the
 * same call site keeps calling it: after sfence.vma (all), sfence.vma of the
 * page, and a satp switch to other page tables, the next call runs the newly
 * mapped code. An emulator that keeps its block links and virtual-pc lookups
 * across TLB flushes (rewind does) must check them against the new mapping.
 *
 * One S-mode run does everything (an ecall to M would end any chain of
 * linked blocks and hide a stale link): `call_20` calls VX 20 times through
 * one jalr and sums a0. At VX a page holds `li a0, N; j VX2+4`; at VX2 a
 * page holds `addi a0, a0, M; ret`, so each call also crosses pages with a
 * constant jump and returns with a jalr.
 *
 *   phase 1  VX -> code_a (1), VX2 -> code_d (16)          20 * 17 = 340
 *   phase 2  VX -> code_b (2), sfence.vma                  20 * 18 = 360
 *   phase 3  VX -> code_c (3), sfence.vma VX               20 * 19 = 380
 *   phase 4  satp -> second tables: VX -> code_a, VX2 -> code_e (32)
 *                                                          20 * 33 = 660
 */
#include "test.h"
#include "vm.h"

#define VX  TPAGE(17)
#define VX2 TPAGE(18)

/* the Sv39 satp value of root table `root` into reg (clobbers t0) */
.macro SATP_OF reg, root
    la \reg, \root
    srli \reg, \reg, 12
    li t0, 8 << 60
    or \reg, \reg, t0
.endm

/* copy the 4 KiB table at `from` to `to` (clobbers t0-t3) */
.macro COPY_PAGE from, to
    la t0, \from
    la t1, \to
    li t2, 512
.Lcp\@:
    ld t3, 0(t0)
    sd t3, 0(t1)
    addi t0, t0, 8
    addi t1, t1, 8
    addi t2, t2, -1
    bnez t2, .Lcp\@
.endm

TEST_BEGIN
    /* first tables: the common subtree, plus VX and VX2 */
    VM_BUILD_COMMON
    PTE_SYM l0, 17, code_a, PTE_V | PTE_R | PTE_X | PTE_A
    PTE_SYM l0, 18, code_d, PTE_V | PTE_R | PTE_X | PTE_A
    /* second tables: a copy whose VX2 maps code_e */
    COPY_PAGE l2, l2b
    COPY_PAGE l1, l1b
    COPY_PAGE l0, l0b
    PTE_SYM l2b, 3, l1b, PTE_V
    PTE_SYM l1b, 0, l0b, PTE_V
    PTE_SYM l0b, 18, code_e, PTE_V | PTE_R | PTE_X | PTE_A

    /* what the S-mode run writes: the PTEs of phases 2 and 3, their slot,
     * and the second root */
    la s5, code_b
    srli s5, s5, 12
    slli s5, s5, 10
    ori s5, s5, PTE_V | PTE_R | PTE_X | PTE_A
    la s6, code_c
    srli s6, s6, 12
    slli s6, s6, 10
    ori s6, s6, PTE_V | PTE_R | PTE_X | PTE_A
    la s7, l0
    addi s7, s7, 17 * 8
    SATP_OF s8, l2b
    li s2, VX

    SATP_OF t5, l2
    csrw satp, t5
    sfence.vma
    TRY_MODE PRV_S, remap_run
    CHECK_CAUSE CAUSE_ECALL_S, "the S-mode run ends with its ecall"
    CHECK s9, 340, "phase 1: the code first mapped at VX"
    CHECK s10, 360, "phase 2: VX remapped, sfence.vma: the new code runs"
    CHECK s11, 380, "phase 3: VX remapped, sfence.vma VX: the new code runs"
    CHECK s3, 660, "phase 4: satp switched: the other tables' code runs"

    csrw satp, zero
    sfence.vma
TEST_END

    .text
    .align 2
remap_run:
    jal t4, call_20
    mv s9, a1
    sd s5, 0(s7)
    sfence.vma
    jal t4, call_20
    mv s10, a1
    sd s6, 0(s7)
    sfence.vma s2, zero
    jal t4, call_20
    mv s11, a1
    csrw satp, s8
    sfence.vma
    jal t4, call_20
    mv s3, a1
    ecall

/* a1 = the sum of 20 calls to s2 (clobbers a0, a3, ra; returns through t4) */
call_20:
    li a1, 0
    li a3, 20
1:  jalr ra, 0(s2)
    add a1, a1, a0
    addi a3, a3, -1
    bnez a3, 1b
    jr t4

/* Each page's code at fixed offsets (no compressed instructions): the jump
 * at offset 4 of the VX pages lands at offset 8 of VX2. */
    .option push
    .option norvc
    .balign 4096
code_a:
    li a0, 1
    j . + 4096 + 4
    .balign 4096
code_b:
    li a0, 2
    j . + 4096 + 4
    .balign 4096
code_c:
    li a0, 3
    j . + 4096 + 4
    .balign 4096
code_d:
    ebreak
    ebreak
    addi a0, a0, 16
    ret
    .balign 4096
code_e:
    ebreak
    ebreak
    addi a0, a0, 32
    ret
    .balign 4096
xcode:  /* mapped by VM_BUILD_COMMON, not run here */
    ecall
    .balign 4096
    .option pop

    .section .pages, "aw", @nobits
    .align 12
l2: .space 4096
l1: .space 4096
l0: .space 4096
l2b: .space 4096
l1b: .space 4096
l0b: .space 4096
dA: .space 4096
dB: .space 4096
dC: .space 4096
dD: .space 4096

/*
 * loops.S - blocks that branch back to their own start, and register forms
 * whose destination is also a source.
 *
 * rewind's block compiler keeps the registers of a small loop in host
 * registers from one iteration to the next (docs/engine-speed.md): nothing
 * is stored back per iteration, so every way out of the loop must store
 * them. These loops leave it every way there is: the branch falls through,
 * the run's budget ends in the middle (a long loop), and a load faults in
 * the middle of an iteration, after a register was written by the previous
 * iteration only. The trap handler must then see every register's latest
 * value. The second half checks `rd = rs1 op rd` forms (computed in rd's
 * own register by the compiler) against values worked out by hand.
 *
 * A block goes on through a plain jump within its page (the jump is
 * counted where it stands), so a loop with its test at the top, whose body
 * ends in a jump back to the test, is one block that falls through the
 * test into its own start. Part 5 runs such loops: to their end, through
 * budget ends, and with a fault after the jump; then a forward jump over
 * code, and a jump to a page's first byte (not followed).
 *
 * In such loops each load and store remembers the page it used last (the
 * TLB entry it hit). Part 6 runs loops whose accesses walk across pages,
 * from one array into another, and misaligned across a page boundary.
 *
 * A branch forward does not end its block either: it is a side exit, which
 * when taken counts the instructions up to itself and leaves from there.
 * Part 7 runs loops with such exits inside: a search leaving at the match
 * with registers written before the exit, an `if` inside a long loop taken
 * every third iteration (through budget ends), a fault after a side exit
 * not taken, side exits whose target is in another page, and one as the
 * last instruction of a page; minstret read after a side exit checks the
 * count.
 */
#include "test.h"

TEST_BEGIN
    /* 1. a counted loop of 6 registers, 50,000 iterations (250,000
     *    instructions: the engine's budget, 64K instructions without icount,
     *    ends in it a few times): sums of i and of i*3 */
    li t0, 0            /* i */
    li t1, 50000        /* n */
    li t2, 0            /* sum of i */
    li t3, 0            /* sum of i*3 (as mulw) */
    li t4, 3
1:
    add t2, t2, t0
    mulw a0, t0, t4
    add t3, t3, a0
    addi t0, t0, 1
    bne t0, t1, 1b
    CHECK t0, 50000, "loop: counter at its end"
    CHECK t2, 1249975000, "loop: sum of 0..49999"
    CHECK t3, 3749925000, "loop: sum of mulw i*3"

    /* 2. a loop whose load faults in its fourth iteration: table holds
     *    pointers to 10, 20, 30, then 0 (not memory: access fault) */
    li t0, 0            /* iterations begun */
    la a1, ptrs
    addi a4, a1, 64     /* never reached */
    li a5, 0            /* sum, written last in an iteration */
    li a2, 0x55
    li a3, 0x66
    TRY_BEGIN
2:
    addi t0, t0, 1
    ld a2, 0(a1)
    ld a3, 0(a2)
    add a5, a5, a3
    addi a1, a1, 8
    bne a1, a4, 2b
    TRY_END
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "faulting loop: load access fault"
    CHECK t0, 4, "faulting loop: counter written in the faulting iteration"
    CHECK a5, 60, "faulting loop: sum from the iterations before"
    CHECK a2, 0, "faulting loop: the bad pointer"
    CHECK a3, 30, "faulting loop: the last value loaded"
    la a0, ptrs + 24
    CHECKR a1, a0, "faulting loop: pointer at the faulting entry"

    /* 3. rd = rs1 op rd, and rd = rs1 op rs1 */
    li a0, 5
    li a1, 7
    add a0, a1, a0
    CHECK a0, 12, "add rd=rs2"
    li a0, 5
    sub a0, a1, a0
    CHECK a0, 2, "sub rd=rs2"
    li a0, 0x0f0
    and a0, a1, a0
    CHECK a0, 0, "and rd=rs2"
    li a0, 0x0f0
    or a0, a1, a0
    CHECK a0, 0xf7, "or rd=rs2"
    li a0, 0x0f0
    xor a0, a1, a0
    CHECK a0, 0xf7, "xor rd=rs2"
    li a0, 0x7fffffff
    li a1, 1
    addw a0, a1, a0
    CHECK a0, 0xffffffff80000000, "addw rd=rs2 wraps and sign-extends"
    li a0, 6
    li a1, -7
    mul a0, a1, a0
    CHECK a0, -42, "mul rd=rs2"
    li a0, 0x10000
    mulw a0, a0, a0
    CHECK a0, 0, "mulw rd=rs1=rs2"
    li a0, 0x8000
    li a1, 0x10000
    mulw a0, a1, a0
    CHECK a0, 0xffffffff80000000, "mulw rd=rs2 sign-extends"
    li a0, 4
    li a1, 3
    sll a0, a1, a0
    CHECK a0, 48, "sll rd=rs2"
    li a0, 36          /* 32-bit shift: count masked to 4 */
    li a1, 0x08000000
    sllw a0, a1, a0
    CHECK a0, 0xffffffff80000000, "sllw rd=rs2 masks the count, sign-extends"
    li a0, 1
    li a1, -8
    sra a0, a1, a0
    CHECK a0, -4, "sra rd=rs2"
    li a0, 2
    li a1, 0x80000000
    srlw a0, a1, a0
    CHECK a0, 0x20000000, "srlw rd=rs2"
    li a0, 5
    li a1, -1
    slt a0, a1, a0
    CHECK a0, 1, "slt rd=rs2"
    li a0, 5
    sltu a0, a1, a0
    CHECK a0, 0, "sltu rd=rs2"
    li a0, 3
    sltiu a0, a0, 4
    CHECK a0, 1, "sltiu rd=rs1"
    la a1, word
    lw a1, 0(a1)
    CHECK a1, 0xfffffffff00dcafe, "lw rd=rs1 sign-extends"
    la a1, word
    lwu a1, 0(a1)
    CHECK a1, 0xf00dcafe, "lwu rd=rs1"
    la a1, word
    lbu a1, 3(a1)
    CHECK a1, 0xf0, "lbu rd=rs1"
    la a1, word
    lh a1, 2(a1)
    CHECK a1, 0xfffffffffffff00d, "lh rd=rs1"
    /* lui/auipc + addi[w] of the same register (compiled as one move) */
    li a0, 0x7ffff800           /* lui 0x80000; addiw -2048: wraps to positive */
    CHECK a0, 0x7ffff800, "lui + addiw wraps"
    li a0, -0x7ffff801          /* lui; addiw */
    CHECK a0, 0xffffffff800007ff, "lui + addiw negative"
    lui a0, 0x12345
    addi a0, a0, -1
    CHECK a0, 0x12344fff, "lui + addi"
    la a0, word
    lw a0, 0(a0)
    CHECK a0, 0xfffffffff00dcafe, "auipc + addi (la)"

    /* 4. binary64 flags: the compiler loads MXCSR once per block, not per
     *    operation. An inexact sum leaves the host's precision flag set; the
     *    next block (after the guest clears fflags) must not see it. */
    li a0, 0x3ff0000000000000   /* 1.0 */
    fmv.d.x fa0, a0
    li a0, 0x3c30000000000000   /* 2^-60: 1.0 + 2^-60 rounds to 1.0 */
    fmv.d.x fa1, a0
    csrw fflags, zero
    fadd.d fa2, fa0, fa1
    fadd.d fa3, fa0, fa0        /* exact, in the same block */
    CHECK_FLAGS 1, "inexact then exact in one block: NX"
    fadd.d fa3, fa0, fa0        /* exact, in the next block */
    fadd.d fa3, fa3, fa0
    CHECK_FLAGS 0, "exact after the guest cleared fflags: no NX"
    /* a loop of binary64 sums: inexact from the first iteration on */
    li t0, 0
    li t1, 100
    fmv.d.x fa2, zero
5:
    fadd.d fa2, fa2, fa1
    fadd.d fa2, fa2, fa0
    addi t0, t0, 1
    bne t0, t1, 5b
    fmv.x.d a0, fa2
    CHECK a0, 0x4059000000000000, "loop of sums: 100.0"
    CHECK_FLAGS 1, "loop of sums: NX"

    /* 5. loops with the test at the top: the body jumps back to the test */
    li t0, 0
    li t1, 30000
    li t2, 0
6:
    bge t0, t1, 7f
    add t2, t2, t0
    addi t0, t0, 1
    j 6b
7:
    CHECK t0, 30000, "test at the top: counter at its end"
    CHECK t2, 449985000, "test at the top: sum of 0..29999"
    /* the same shape, faulting in its fourth iteration after the jump */
    li t0, 0            /* iterations completed */
    la a1, ptrs
    li a5, 0
    li a2, 0x55
    li a3, 0x66
    TRY_BEGIN
8:
    ld a2, 0(a1)
    ld a3, 0(a2)
    beqz a3, 9f
    add a5, a5, a3
    addi t0, t0, 1
    addi a1, a1, 8
    j 8b
9:
    TRY_END
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "test at the top, faulting: load access fault"
    CHECK t0, 3, "test at the top, faulting: iterations completed"
    CHECK a5, 60, "test at the top, faulting: sum"
    CHECK a2, 0, "test at the top, faulting: the bad pointer"
    CHECK a3, 30, "test at the top, faulting: the last value loaded"
    la a0, ptrs + 24
    CHECKR a1, a0, "test at the top, faulting: pointer at the faulting entry"
    /* a forward jump over code, in both encodings */
    li a0, 1
    j 10f
    li a0, 2
10:
    addi a0, a0, 10
    .option push
    .option norvc
    jal zero, 11f
    addi a0, a0, 100
11:
    .option pop
    addi a0, a0, 1000
    CHECK a0, 1011, "forward jumps skip what they jump over"
    /* a loop whose jump back goes to its page's first byte */
    li t0, 0
    li t1, 1000
    j 12f
    .balign 4096
12:
    addi t0, t0, 1
    beq t0, t1, 13f
    j 12b
13:
    CHECK t0, 1000, "jump to a page's first byte: counter"

    /* 6. loops whose accesses cross pages: A[i] = i over three pages, then
     *    B[i] = A[0] + ... + A[i] (B three pages further on) */
    la a1, big
    li t0, 0
    li t1, 3072
14:
    sw t0, 0(a1)
    addi a1, a1, 4
    addi t0, t0, 1
    bne t0, t1, 14b
    la a1, big
    la a2, big + 12288
    li t0, 0
    li t2, 0
15:
    lw a3, 0(a1)
    add t2, t2, a3
    sw t2, 0(a2)
    addi a1, a1, 4
    addi a2, a2, 4
    addi t0, t0, 1
    bne t0, t1, 15b
    CHECK t2, 4717056, "pages: sum of A over three pages"
    lw a0, -4(a2)
    CHECK a0, 4717056, "pages: last prefix sum stored"
    la a0, big + 12288 + 4000
    lw a0, 0(a0)
    CHECK a0, 500500, "pages: prefix sum B[1000]"
    /* misaligned words across the first page boundary of A: each is
     * (A[j + 1] & 0xffffff) << 8 with j = 1015 + k, k = 0..15 */
    la a1, big + 4063
    li t0, 0
    li t1, 16
    li t2, 0
16:
    lw a3, 0(a1)
    add t2, t2, a3
    addi a1, a1, 4
    addi t0, t0, 1
    bne t0, t1, 16b
    CHECK t2, 4192256, "pages: misaligned loads across a page boundary"

    /* 7. side exits. A search: A[i] = i (part 6), find 2500; the loop
     *    writes t2 (a running sum) before its exit test */
    la a1, big
    li t0, 0
    li t1, 3072
    li t2, 0
    li a4, 2500
17:
    lw a3, 0(a1)
    add t2, t2, a3
    beq a3, a4, 18f
    addi a1, a1, 4
    addi t0, t0, 1
    bne t0, t1, 17b
18:
    CHECK t0, 2500, "side exit: the search stops at the match"
    CHECK t2, 3126250, "side exit: sum written before the exit, up to the match"
    la a0, big + 10000
    CHECKR a1, a0, "side exit: the pointer at the match"
    /* an `if` inside a loop of 120,000 iterations: every third one adds i */
    li t0, 0
    li t1, 120000
    li t2, 0
    li t3, 0
    li a4, 3
19:
    addi t3, t3, 1
    bne t3, a4, 20f
    li t3, 0
    add t2, t2, t0
20:
    addi t0, t0, 1
    bne t0, t1, 19b
    CHECK t2, 2400020000, "side exit: if inside a loop, sum of i where (i+1)%3 == 0"
    CHECK t3, 0, "side exit: if inside a loop, phase at the end"
    /* the instruction count after a side exit taken */
    csrr a0, minstret
    li t0, 5
    bnez t0, 21f
    nop
    nop
21:
    csrr a1, minstret
    sub a0, a1, a0
    CHECK a0, 3, "side exit: minstret counts the instructions up to the exit"
    /* a loop faulting after a side exit not taken: pointers 10, 20, 30, 0 */
    li t0, 0
    la a1, ptrs
    li a5, 0
    li a2, 0x55
    li a3, 0x66
    li a4, 1000
    TRY_BEGIN
22:
    ld a2, 0(a1)
    bgeu a5, a4, 23f
    ld a3, 0(a2)
    add a5, a5, a3
    addi a1, a1, 8
    addi t0, t0, 1
    j 22b
23:
    TRY_END
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "side exit, faulting: load access fault"
    CHECK t0, 3, "side exit, faulting: iterations completed"
    CHECK a5, 60, "side exit, faulting: sum"
    la a0, ptrs + 24
    CHECKR a1, a0, "side exit, faulting: pointer at the faulting entry"
    /* side exits into another page, and one ending a page */
    li t0, 0
    li t1, 1000
    li t2, 0
24:
    addi t0, t0, 1
    andi a0, t0, 1
    bnez a0, far_odd
far_back:
    bne t0, t1, 24b
    CHECK t2, 500, "side exit to another page: taken for every odd count"
    li t0, 7
    li t2, 0
    j page_end_exit
far_after:
    CHECK t2, 7, "side exit as a page's last instruction: taken"
TEST_END

    .balign 4096
far_odd:
    addi t2, t2, 1
    j far_back
    .balign 4096
    .skip 4096 - 8
page_end_exit:
    .option push
    .option norvc
    addi t2, t2, 7
    bnez t0, page_end_target   /* the page's last 4 bytes, forward */
    .word 0   /* the next page's first word, illegal: never reached */
page_end_target:
    j far_after
    .option pop

.data
.balign 8
ptrs:
    .dword v10, v20, v30, 0, v10, v10, v10, v10
v10: .dword 10
v20: .dword 20
v30: .dword 30
word: .word 0xf00dcafe
.balign 4096
big: .skip 24576

/* Bare-metal guest for the gdb stub tests: calls bump() 200 times (it adds 3
 * to `counter`, a watchpoint target); every 8th round runs an illegal instruction
 * (a trap that retires; gdb would step over an ecall by itself) and 4 rounds later a load from unmapped memory (an access
 * fault that does not: the handler skips it); a machine timer interrupt every
 * 3 mtime ticks (300 instructions at -icount shift=0). Then it powers off
 * with status 0. The handler touches only t3-t6, so stepping through it
 * leaves the main line's registers alone. Run with -bios none. */
    .equ TEST, 0x100000
    .equ MTIMECMP, 0x2004000
    .equ MTIME, 0x200bff8
    .equ UNMAPPED, 0x90000000

    .section .text.init, "ax"
    .globl _start
_start:
    lla t0, trap
    csrw mtvec, t0
    li s0, 0
    li s1, 200
    li t0, MTIME
    ld t1, 0(t0)
    addi t1, t1, 3
    li t0, MTIMECMP
    sd t1, 0(t0)
    li t0, 1 << 7
    csrs mie, t0                /* MTIE */
    csrsi mstatus, 8            /* MIE */
loop:
    call bump
    andi t0, s0, 7
    bnez t0, 1f
    .option push
    .option norvc
    unimp                       /* illegal instruction: a trap that retires */
    .option pop
1:  andi t0, s0, 7
    li t1, 4
    bne t0, t1, 2f
    li t1, UNMAPPED
    ld t2, 0(t1)
2:  addi s0, s0, 1
    blt s0, s1, loop
    csrci mstatus, 8
    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
3:  j 3b

    .globl bump
bump:
    lla t0, counter
    ld t1, 0(t0)
    addi t1, t1, 3
    sd t1, 0(t0)
    ret

    .align 2
    .globl trap
trap:
    csrr t3, mcause
    bltz t3, irq
    csrr t4, mepc
    addi t4, t4, 4
    csrw mepc, t4
    mret
irq:
    li t5, MTIME
    ld t6, 0(t5)
    addi t6, t6, 3
    li t5, MTIMECMP
    sd t6, 0(t5)
    mret

    .data
    .align 3
    .globl counter
counter:
    .dword 0

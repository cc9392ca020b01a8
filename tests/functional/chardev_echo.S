/* Bare-metal echo guest for the chardev tests: prints "echo: ready", then
 * sends back every byte received on the UART with a-z made upper case (so a
 * test knows the guest, not a terminal echo, answered); '!' powers off with
 * status 0. It sleeps in WFI between bytes (UART receive interrupt through
 * the PLIC, source 10, context 0 = M mode). Run with -bios none. */
    .equ UART, 0x10000000
    .equ PLIC, 0x0c000000
    .equ TEST, 0x100000

    .section .text.init, "ax"
    .globl _start
_start:
    li s0, UART
    li s1, PLIC
    /* PLIC: source 10 priority 1, enabled for context 0, threshold 0. */
    li t0, 1
    sw t0, 40(s1)
    li t1, 0x2000
    add t1, t1, s1
    li t0, 1 << 10
    sw t0, 0(t1)
    li t1, 0x200000
    add s2, t1, s1              /* s2: context 0 threshold; claim at +4 */
    sw zero, 0(s2)
    li t0, 1
    sb t0, 1(s0)                /* UART IER: receive interrupt */
    li t0, 1 << 11
    csrs mie, t0                /* MEIE: WFI wakes on it (MIE stays off) */

    lla a0, s_ready
1:  lbu a1, 0(a0)
    beqz a1, loop
    call putc
    addi a0, a0, 1
    j 1b

loop:
    lbu t0, 5(s0)               /* LSR: data ready? */
    andi t0, t0, 1
    bnez t0, got
    wfi
    lw t1, 4(s2)                /* claim and complete */
    sw t1, 4(s2)
    j loop
got:
    lbu a1, 0(s0)
    li t0, '!'
    beq a1, t0, off
    li t0, 'a'
    blt a1, t0, 2f
    li t0, 'z'
    bgt a1, t0, 2f
    addi a1, a1, -32
2:  call putc
    j loop

off:
    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
3:  j 3b

putc:
    lbu t0, 5(s0)
    andi t0, t0, 0x20
    beqz t0, putc
    sb a1, 0(s0)
    ret

    .section .rodata
s_ready:
    .asciz "echo: ready\n"

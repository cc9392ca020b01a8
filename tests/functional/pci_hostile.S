/* A hostile bare-metal guest for the PCIe host: places the BARs of the
 * functions in slots 1..3, then makes 200000 accesses chosen by a fixed
 * xorshift sequence: configuration space of slots 0..4 (BARs set to RAM,
 * to each other, to all ones; command, capabilities, anything), the 32-bit
 * memory window, the I/O window and the virtio-pci registers behind them,
 * any size, any value. Then prints
 *   pci-hostile: done <vendor:device of slot 1> <RAM check>
 * and powers off. Access faults of the hostile accesses (QEMU raises them
 * for sizes a device does not take, e.g. 2-byte MSI-X table reads) are
 * skipped; any other trap prints "pci-hostile: trap <mcause> <mepc> <mtval>"
 * and exits 1.
 * Run with -bios none -m 128M (starts at 0x80000000). */
    .equ UART, 0x10000000
    .equ TEST, 0x100000
    .equ ECAM, 0x30000000
    .equ MMIO, 0x40000000
    .equ PIO, 0x03000000
    .equ ROUNDS, 200000

    .section .text.init, "ax"
    .globl _start
_start:
    lla sp, stack_top
    lla t0, trap
    csrw mtvec, t0

    /* Slots 1..3: BAR0 I/O at 0x1000 * slot, BAR1 at MMIO + 0x10000 * slot,
     * BAR4 at MMIO + 0x10000 * slot + 0x4000, I/O + memory + master. */
    li s0, 1
place:
    li t0, ECAM
    slli t1, s0, 15
    add t0, t0, t1
    slli t2, s0, 12
    sw t2, 0x10(t0)
    li t3, MMIO
    slli t4, s0, 16
    add t3, t3, t4
    sw t3, 0x14(t0)
    li t5, 0x4000
    add t3, t3, t5
    sw t3, 0x20(t0)
    sw zero, 0x24(t0)
    li t6, 7
    sh t6, 4(t0)
    addi s0, s0, 1
    li t1, 4
    blt s0, t1, place

    /* A RAM word the guest checks at the end. */
    li s5, 0x80200000
    li t0, 0x5a5aa5a5
    sw t0, 0(s5)

    li s1, 0x243f6a8885a308d3      /* xorshift64 state */
    li s2, ROUNDS
loop:
    call next
    mv s3, a0                      /* the choices */
    call next
    mv s4, a0                      /* the value */
    /* size: 1 << (bits 0..1) */
    andi t0, s3, 3
    li t1, 1
    sll s6, t1, t0
    /* target by bits 2..3 */
    srli t0, s3, 2
    andi t0, t0, 3
    srli t2, s3, 8                 /* offset bits */
    beqz t0, t_ecam
    li t1, 1
    beq t0, t1, t_mmio
    li t1, 2
    beq t0, t1, t_pio
    /* 3: a BAR or the command register of slots 1..3 with a chosen value */
    li t3, ECAM
    andi t4, t2, 3
    addi t4, t4, 1
    slli t4, t4, 15
    add t3, t3, t4
    srli t5, t2, 2
    andi t5, t5, 7
    slli t5, t5, 2
    addi t5, t5, 4                 /* 0x04 .. 0x20 */
    add t3, t3, t5
    srli t6, t2, 5
    andi t6, t6, 3
    li t1, 0x80000000              /* RAM */
    beqz t6, 1f
    li t1, MMIO + 0x14000          /* another function's BAR */
    addi t6, t6, -1
    beqz t6, 1f
    li t1, -1                      /* sizing */
    addi t6, t6, -1
    beqz t6, 1f
    li t1, 7                       /* command: everything on */
1:  sw t1, 0(t3)
    j step
t_ecam:
    li t3, ECAM
    li t4, 0x27fff                 /* slots 0..4, any register */
    and t4, t2, t4
    add t3, t3, t4
    j access
t_mmio:
    li t3, MMIO
    li t4, 0x3ffff
    and t4, t2, t4
    add t3, t3, t4
    j access
t_pio:
    li t3, PIO
    li t4, 0x3fff
    and t4, t2, t4
    add t3, t3, t4
access:
    /* align to the size, then read or write (bit 4) */
    neg t5, s6
    and t3, t3, t5
    andi t6, s3, 16
    li t1, 1
    beq s6, t1, a1b
    li t1, 2
    beq s6, t1, a2b
    li t1, 4
    beq s6, t1, a4b
    beqz t6, 1f
    sd s4, 0(t3)
    j step
1:  ld t0, 0(t3)
    j step
a1b: beqz t6, 1f
    sb s4, 0(t3)
    j step
1:  lbu t0, 0(t3)
    j step
a2b: beqz t6, 1f
    sh s4, 0(t3)
    j step
1:  lhu t0, 0(t3)
    j step
a4b: beqz t6, 1f
    sw s4, 0(t3)
    j step
1:  lwu t0, 0(t3)
step:
    addi s2, s2, -1
    bnez s2, loop

    lla a0, s_done
    call puts
    li t0, ECAM + 0x8000
    lwu a0, 0(t0)
    call puthex32
    li a0, ' '
    call putc
    lwu a0, 0(s5)
    call puthex32
    li a0, '\n'
    call putc
    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b

#include "xorshift64.inc"

trap:
    csrr t0, mcause
    li t1, 5
    beq t0, t1, skip
    li t1, 7
    beq t0, t1, skip
    lla a0, s_trap
    call puts
    csrr a0, mcause
    call puthex32
    li a0, ' '
    call putc
    csrr a0, mepc
    call puthex32
    li a0, ' '
    call putc
    csrr a0, mtval
    call puthex32
    li a0, '\n'
    call putc
    li t0, TEST
    li t1, 0x13333                 /* exit status 1 */
    sw t1, 0(t0)
1:  j 1b

skip:                              /* the faulting access is 4 bytes long */
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    mret

#include "uart_print.inc"
    .section .rodata
s_done: .asciz "pci-hostile: done "
s_trap: .asciz "pci-hostile: trap "

    .section .bss
    .align 4
    .space 4096
stack_top:

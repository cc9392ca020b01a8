/* A hostile bare-metal guest for virtio-gpu: drives the virtio-gpu-device in
 * the top virtio-mmio slot (0x10008000) as a virtio 1.x driver, then sends
 * ROUNDS control requests made by a fixed xorshift sequence: a command type
 * from a table (2D commands, GET_EDID, 3D and cursor types, anything), its
 * fields random or small, attach-backing entries in RAM or anywhere (MMIO,
 * ROM, unmapped, huge lengths), transfers and rectangles anywhere, short
 * command and answer buffers, fences. After each request it checks that the
 * device used it, and folds the answer's type into a checksum. Then prints
 *   gpu-hostile: done <used idx> <checksum> <successes> <RAM check>
 * and powers off; any trap prints "gpu-hostile: trap <mcause> <mepc> <mtval>"
 * and exits 1, a request the device does not use prints "gpu-hostile: stuck".
 * Run with -bios none -m 128M (starts at 0x80000000). */
    .equ UART, 0x10000000
    .equ TEST, 0x100000
    .equ GPU, 0x10008000
    .equ DESC, 0x80100000
    .equ AVAIL, 0x80101000
    .equ USED, 0x80102000
    .equ CMD, 0x80103000
    .equ RESP, 0x80104000
    .equ PAGES, 0x80300000
    .equ QSIZE, 8
    .equ ROUNDS, 20000

    .section .text.init, "ax"
    .globl _start
_start:
    lla sp, stack_top
    lla t0, trap
    csrw mtvec, t0

    li s5, 0x80200000              /* a RAM word checked at the end */
    li t0, 0x5a5aa5a5
    sw t0, 0(s5)

    /* The driver's start (virtio 1.x 3.1.1): ACKNOWLEDGE, DRIVER,
     * VERSION_1 only, FEATURES_OK, queue 0, DRIVER_OK. */
    li s0, GPU
    lwu t0, 8(s0)                  /* device id: 16 */
    li t1, 16
    bne t0, t1, not_gpu
    sw zero, 0x70(s0)
    li t0, 1
    sw t0, 0x70(s0)
    li t0, 3
    sw t0, 0x70(s0)
    li t0, 1
    sw t0, 0x24(s0)                /* driver features, bits 32..63 */
    sw t0, 0x20(s0)                /* VERSION_1 */
    sw zero, 0x24(s0)
    sw zero, 0x20(s0)
    li t0, 11
    sw t0, 0x70(s0)
    sw zero, 0x30(s0)              /* queue 0 */
    li t0, QSIZE
    sw t0, 0x38(s0)
    li t0, DESC
    sw t0, 0x80(s0)
    sw zero, 0x84(s0)
    li t0, AVAIL
    sw t0, 0x90(s0)
    sw zero, 0x94(s0)
    li t0, USED
    sw t0, 0xa0(s0)
    sw zero, 0xa4(s0)
    li t0, 1
    sw t0, 0x44(s0)
    li t0, 15
    sw t0, 0x70(s0)

    li s1, 0x243f6a8885a308d3      /* xorshift64 state */
    li s2, ROUNDS
    li s7, 0                       /* checksum of the answers */
    li s8, 0                       /* avail idx */
    li s9, 0                       /* answers of success (0x11xx) */
loop:
    /* 64 random words of command. */
    li s3, CMD
    li s4, 64
1:  call next
    sw a0, 0(s3)
    addi s3, s3, 4
    addi s4, s4, -1
    bnez s4, 1b
    li s3, CMD
    /* The type, from the table. */
    call next
    andi t0, a0, 15
    slli t0, t0, 2
    lla t1, types
    add t1, t1, t0
    lwu t0, 0(t1)
    beqz t0, 2f                    /* 0: keep the random type */
    sw t0, 0(s3)
2:  /* Most of the time, small fields (ids 0..7, sizes and positions 0..1023). */
    call next
    mv s4, a0
    andi t0, s4, 3
    beqz t0, entries
    li t2, 6                       /* words 6..13 */
3:  slli t3, t2, 2
    add t3, t3, s3
    lwu t4, 0(t3)
    li t5, 0x3ff
    srli t6, s4, 8
    andi t6, t6, 1
    beqz t6, 4f
    li t5, 7
4:  and t4, t4, t5
    sw t4, 0(t3)
    srli s4, s4, 1
    addi t2, t2, 1
    li t3, 14
    blt t2, t3, 3b
    lwu t4, 24(s3)                 /* the resource id (or first field): 0..7 */
    andi t4, t4, 7
    sw t4, 24(s3)
entries:
    /* Attach-backing: nr_entries 0..7, entries mostly in the page area. */
    lwu t0, 0(s3)
    li t1, 0x106
    bne t0, t1, post
    call next
    andi t0, a0, 7
    sw t0, 28(s3)
    addi t2, s3, 32
    li t3, 7
5:  call next
    mv t4, a0
    andi t5, t4, 3
    beqz t5, 6f                    /* a quarter: anywhere at all */
    li t5, 0xfffff
    and t4, t4, t5
    li t5, PAGES
    add t4, t4, t5
6:  sd t4, 0(t2)
    call next
    andi t5, a0, 1
    li t6, 0x3ffff
    beqz t5, 7f
    li t6, -1                      /* sometimes any length */
7:  and a0, a0, t6
    sw a0, 8(t2)
    addi t2, t2, 16
    addi t3, t3, -1
    bnez t3, 5b
post:
    /* Descriptors: the command (usually 256 bytes), the answer (usually 1200). */
    call next
    mv s4, a0
    li t0, DESC
    li t1, CMD
    sd t1, 0(t0)
    li t2, 256
    andi t3, s4, 7
    bnez t3, 8f
    srli t2, s4, 8
    andi t2, t2, 0xff
8:  sw t2, 8(t0)
    li t3, 1                       /* NEXT */
    sh t3, 12(t0)
    sh t3, 14(t0)                  /* next = 1 */
    li t1, RESP
    sd t1, 16(t0)
    li t2, 1200
    srli t3, s4, 16
    andi t3, t3, 7
    bnez t3, 9f
    srli t2, s4, 24
    andi t2, t2, 31
9:  sw t2, 24(t0)
    li t3, 2                       /* WRITE */
    sh t3, 28(t0)
    sh zero, 30(t0)
    li t1, RESP
    sw zero, 0(t1)
    /* Publish head 0 and notify. */
    li t0, AVAIL
    andi t1, s8, QSIZE - 1
    slli t1, t1, 1
    add t1, t1, t0
    sh zero, 4(t1)
    addi s8, s8, 1
    fence w, w
    sh s8, 2(t0)
    fence w, w
    sw zero, 0x50(s0)
    fence r, r
    /* The device must have used it (it answers synchronously). */
    li t0, USED
    lhu t1, 2(t0)
    li t2, 0xffff
    and t3, s8, t2
    bne t1, t3, stuck
    li t0, 0x64                    /* acknowledge the interrupt */
    add t0, t0, s0
    lwu t1, 0x60(s0)
    sw t1, 0(t0)
    /* checksum = checksum * 31 + answer type */
    li t1, RESP
    lwu t1, 0(t1)
    srli t2, t1, 8
    addi t2, t2, -0x11
    bnez t2, 10f
    addi s9, s9, 1
10: slli t2, s7, 5
    sub s7, t2, s7
    add s7, s7, t1
    addi s2, s2, -1
    bnez s2, loop

    lla a0, s_done
    call puts
    li t0, USED
    lhu a0, 2(t0)
    call puthex32
    li a0, ' '
    call putc
    mv a0, s7
    call puthex32
    li a0, ' '
    call putc
    mv a0, s9
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

not_gpu:
    lla a0, s_nogpu
    j fail
stuck:
    lla a0, s_stuck
fail:
    call puts
    li t0, TEST
    li t1, 0x13333                 /* exit status 1 */
    sw t1, 0(t0)
1:  j 1b

#include "xorshift64.inc"

trap:
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
    li t1, 0x13333
    sw t1, 0(t0)
1:  j 1b

#include "uart_print.inc"
    .section .rodata
    .align 2
/* Command types: the 2D ones (creation, backing and transfers twice), EDID,
 * display info, 3D CTX_CREATE, UPDATE_CURSOR on the wrong queue, 0: random. */
types:
    .word 0x100, 0x101, 0x101, 0x102, 0x103, 0x104, 0x105, 0x105
    .word 0x106, 0x106, 0x107, 0x10a, 0x200, 0x300, 0, 0x103
s_done: .asciz "gpu-hostile: done "
s_trap: .asciz "gpu-hostile: trap "
s_stuck: .asciz "gpu-hostile: stuck\n"
s_nogpu: .asciz "gpu-hostile: no virtio-gpu at 0x10008000\n"

    .section .bss
    .align 4
    .space 4096
stack_top:

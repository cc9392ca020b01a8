/* A bare-metal guest that runs from flash bank 0 (virt, 0x20000000), for
 * -drive if=pflash,unit=0 with -bios none: the boot ROM jumps to the bank
 * and the CPU executes it in place. It prints, so that rewind's output can
 * be compared with QEMU 7.2's for the same image:
 *  - a line printed by code in flash, a loop in flash called from flash;
 *  - a block of routines copied to RAM (they drive the bank's command set,
 *    during which the bank's contents cannot be fetched);
 *  - a word programmed into a routine that never ran, a sector erased and
 *    a routine written there by a buffered program: each is then called;
 *  - jumps into bank 1 left in identifier, CFI query and status mode: the
 *    fetch reads what a load would read there, executes it, and the trap it
 *    ends in is printed (cause, pc, tval, ra, s0 - sp);
 *  - "again" lines: code that ran is changed (a word program, an erase and
 *    a buffered program, an erase and word programs) and called again, then
 *    entered with its bank in identifier mode. QEMU 7.2 keeps running its
 *    old translation of such code in read-array mode, so the test checks
 *    these lines against what the new code does, not against QEMU; they
 *    stay out of the checksum;
 *  - a checksum of the first MiB of the bank and of every printed value.
 * Then "xip: done" and a power-off. An unexpected trap prints "xip: trap"
 * and exits 1. */
    .equ UART, 0x10000000
    .equ TEST, 0x100000
    .equ FLASH0, 0x20000000
    .equ FLASH1, 0x22000000

    .section .text.init, "ax"
    .globl _start
_start:
    lla sp, __stack_top
    lla a0, s_hello
    call flash_puts
    /* The RAM routines: copied from their place in the image. */
    lla t0, __ramcode_lma
    lla t1, __ramcode_start
    lla t2, __ramcode_end
1:  ld t3, 0(t0)
    sd t3, 0(t1)
    addi t0, t0, 8
    addi t1, t1, 8
    bltu t1, t2, 1b
    fence.i
    lla t0, trap
    csrw mtvec, t0
    li s1, 0                      /* the checksum of the printed values */

    li a0, 1000
    call sum_to
    mv a1, a0
    lla a0, s_sum
    call report

    /* A routine in a page that never ran: programmed, then called. */
    lla a0, fresh_fn
    li a1, 0x00300513             /* li a0, 3: clears one bit of li a0, 7 */
    call flash_word
    mv a1, a0
    lla a0, s_program_status
    call report
    call fresh_fn
    mv a1, a0
    lla a0, s_fresh_word
    call report
    /* A sector that never ran: erased, buffered program, called. */
    lla a0, sector3_fn
    call flash_erase
    mv a1, a0
    lla a0, s_erase_status
    call report
    lla a0, sector3_fn
    lla a1, template_a
    li a2, 2
    call flash_buffered
    mv a1, a0
    lla a0, s_buffered_status
    call report
    call sector3_fn
    mv a1, a0
    lla a0, s_fresh_buffered
    call report

    /* Fetches from bank 1 (nothing of it ran) in the command modes. */
    li a0, FLASH1
    li a1, 0x00900090             /* read identifier */
    mv a2, a0
    call mode_jump
    li a0, FLASH1
    li a1, 0x00980098             /* CFI query */
    li a2, FLASH1 + 0x40
    call mode_jump
    li a0, FLASH1 + 0x1fffff0
    li a1, 0x00700070             /* read status, near the end of the bank */
    mv a2, a0
    call mode_jump

    /* Code that ran, changed under it: QEMU 7.2 keeps running what it
     * translated before (it never drops translations of flash), so these
     * lines ("again") are not compared with it, nor in the checksum. */
    lla t0, again
    li t1, 1
    sw t1, 0(t0)
    call patch_me
    mv a1, a0
    lla a0, s_patch_before
    call report
    lla a0, patch_me
    li a1, 0x00300513
    call flash_word
    call patch_me
    mv a1, a0
    lla a0, s_patch_after
    call report
    call sector2_fn
    mv a1, a0
    lla a0, s_sector2_before
    call report
    lla a0, sector2_fn
    call flash_erase
    lla a0, sector2_fn
    lla a1, template_a
    li a2, 2
    call flash_buffered
    call sector2_fn
    mv a1, a0
    lla a0, s_sector2_buffered
    call report
    lla a0, sector2_fn
    call flash_erase
    lla a0, sector2_fn
    lla t0, template_b
    lw a1, 0(t0)
    call flash_word
    lla a0, sector2_fn + 4
    lla t0, template_b
    lw a1, 4(t0)
    call flash_word
    call sector2_fn
    mv a1, a0
    lla a0, s_sector2_words
    call report
    /* patch_me (li a0, 3; ret) in identifier mode: bank 0 reads zeros there. */
    li a0, FLASH0
    li a1, 0x00900090
    lla a2, patch_me
    call mode_jump
    lla t0, again
    sw zero, 0(t0)

    /* Back in read-array mode: the bank's code runs again. */
    li a0, 100
    call sum_to
    mv a1, a0
    lla a0, s_sum_again
    call report

    li t0, FLASH0
    li t1, FLASH0 + 0x100000
    li a1, 0
2:  lw t2, 0(t0)
    slli t3, a1, 5
    sub a1, t3, a1
    add a1, a1, t2
    addi t0, t0, 4
    bltu t0, t1, 2b
    lla a0, s_flash_sum
    call report
    mv a1, s1
    lla a0, s_checksum
    call report
    lla a0, s_done
    call flash_puts
    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
3:  j 3b

/* flash_puts a0: a string, from flash code only (before the copy). */
flash_puts:
    li t0, UART
1:  lbu t1, 0(a0)
    beqz t1, 3f
2:  lbu t2, 5(t0)
    andi t2, t2, 0x20
    beqz t2, 2b
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
3:  ret

/* sum_to a0: 1 + 2 + ... + a0, a loop in flash. */
sum_to:
    mv t0, a0
    li a0, 0
1:  add a0, a0, t0
    addi t0, t0, -1
    bnez t0, 1b
    ret

/* report a0 = label, a1 = value: "xip: label value", and value into s1. */
report:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd a1, 8(sp)
    lw t0, again
    bnez t0, 1f
    slli t0, s1, 5
    sub s1, t0, s1
    add s1, s1, a1
1:  mv t1, a0
    lla a0, s_prefix
    lw t0, again
    beqz t0, 2f
    lla a0, s_prefix_again
2:
    mv s2, t1
    call puts
    mv a0, s2
    call puts
    li a0, ' '
    call putc
    ld a0, 8(sp)
    call puthex32
    li a0, '\n'
    call putc
    ld ra, 0(sp)
    addi sp, sp, 16
    ret


s_hello:  .asciz "xip: hello from flash\n"
s_done:   .asciz "xip: done\n"
s_prefix: .asciz "xip: "
s_prefix_again: .asciz "xip: again "
s_sum:    .asciz "sum to 1000"
s_fresh_word: .asciz "fresh word"
s_fresh_buffered: .asciz "fresh buffered"
s_patch_before: .asciz "patch before"
s_program_status: .asciz "program status"
s_patch_after: .asciz "patch after"
s_sector2_before: .asciz "sector2 before"
s_erase_status: .asciz "erase status"
s_buffered_status: .asciz "buffered status"
s_sector2_buffered: .asciz "sector2 buffered"
s_sector2_words: .asciz "sector2 words"
s_sum_again: .asciz "sum to 100"
s_flash_sum: .asciz "flash sum"
s_checksum: .asciz "checksum"
s_trap: .asciz "trap"

    .section .sector1, "ax"
    .option push
    .option norvc
patch_me:
    .word 0x00700513              /* li a0, 7 */
    .word 0x00008067              /* ret */
    .balign 4096
fresh_fn:                         /* in a page of its own */
    .word 0x00700513              /* li a0, 7 */
    .word 0x00008067
    .option pop

    .section .sector2, "ax"
    .option push
    .option norvc
sector2_fn:
    .word 0x01100513              /* li a0, 0x11 */
    .word 0x00008067
    .option pop

    .section .sector3, "ax"
    .option push
    .option norvc
sector3_fn:
    .word 0x01200513              /* li a0, 0x12 (erased before it runs) */
    .word 0x00008067
    .option pop

/* ---- Copied to RAM: they run while a bank is in a command mode. ---- */
    .section .ramcode, "ax"
    .include "uart_print.inc"

/* flash_word a0 = address, a1 = 32-bit value: word program; a0 = status. */
flash_word:
    li t0, 0x00400040
    sw t0, 0(a0)
    sw a1, 0(a0)
    j finish

/* flash_erase a0 = an address in the sector: block erase; a0 = status. */
flash_erase:
    li t0, 0x00200020
    sw t0, 0(a0)
    li t0, 0x00d000d0
    sw t0, 0(a0)
    j finish

/* flash_buffered a0 = address, a1 = source, a2 = words: buffered program. */
flash_buffered:
    li t0, 0x00e800e8
    sw t0, 0(a0)
    addi t1, a2, -1
    slli t0, t1, 16
    or t0, t0, t1
    sw t0, 0(a0)
    mv t2, a0
1:  lw t0, 0(a1)
    sw t0, 0(t2)
    addi a1, a1, 4
    addi t2, t2, 4
    addi a2, a2, -1
    bnez a2, 1b
    li t0, 0x00d000d0
    sw t0, 0(a0)
    /* fall through */
finish:                           /* the status, then read array */
    lw t1, 0(a0)
    li t0, 0x00ff00ff
    sw t0, 0(a0)
    fence.i
    mv a0, t1
    ret

/* mode_jump a0 = address, a1 = command, a2 = target: writes the command,
 * jumps to the target with ra = s0 = 0; the trap it ends in returns to the
 * caller. */
mode_jump:
    lla t0, resume
    sd ra, 0(t0)
    lla t0, saved_sp
    sd sp, 0(t0)
    sw a1, 0(a0)
    li ra, 0
    li s0, 0
    jr a2

    .option push
    .option norvc
    .balign 4
/* Routines programmed into flash: in RAM, as a bank in a command mode
 * reads its status, not its contents. */
template_a:
    .word 0x05a00513              /* li a0, 0x5a */
    .word 0x00008067              /* ret */
template_b:
    .word 0x03300513              /* li a0, 0x33 */
    .word 0x00008067
    .option pop

/* Prints "xip: trap cause pc tval ra s0-sp" (s0 - sp only when s0 is
 * set), puts both banks back in read-array mode, and returns to mode_jump's
 * caller; any other trap ends the run with exit status 1. */
    .balign 4                     /* mtvec's low bits are its mode */
trap:
    mv s3, ra
    mv s4, s0
    lla a0, s_trap_prefix
    lw t0, again
    beqz t0, 5f
    lla a0, s_trap_again
5:  call puts
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
    li a0, ' '
    call putc
    mv a0, s3
    call puthex32
    li a0, ' '
    call putc
    li a0, 0
    beqz s4, 1f
    sub a0, s4, sp
1:  call puthex32
    li a0, '\n'
    call putc
    li t0, 0x00ff00ff
    li t1, FLASH0
    sw t0, 0(t1)
    li t1, FLASH1
    sw t0, 0(t1)
    lla t0, resume
    ld t1, 0(t0)
    beqz t1, 2f
    sd zero, 0(t0)
    lla t0, saved_sp
    ld sp, 0(t0)
    mv s0, zero
    lw t0, again
    bnez t0, 4f
    /* a chain of each trap's pc and cause in the checksum */
    csrr t0, mepc
    add s1, s1, t0
    csrr t0, mcause
    add s1, s1, t0
4:  jr t1
2:  li t0, TEST
    li t1, 0x13333                /* exit status 1 */
    sw t1, 0(t0)
3:  j 3b

s_trap_prefix: .asciz "xip: trap "
s_trap_again: .asciz "xip: again trap "

    .section .bss
    .balign 8
resume:   .dword 0
saved_sp: .dword 0
again:    .word 0                 /* 1: the "again" part */

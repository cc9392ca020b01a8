/* An S-mode payload executed in place from flash bank 1: with a drive on
 * pflash unit 1, OpenSBI (-bios default) starts S-mode at 0x22000000, as
 * QEMU 7.2 tells it to. It prints through the SBI console (legacy
 * putchar), calls a loop in flash, prints its hart id and a checksum of the
 * first 64 KiB of its bank, and powers off through SBI system reset. No
 * RAM: registers only. */
    .equ SBI_PUTCHAR, 1
    .equ SBI_SRST, 0x53525354

    .section .text.init, "ax"
    .globl _start
_start:
    mv s0, a0                     /* hart id */
    lla a0, s_hello
    call sbi_puts
    li a0, 500
    call sum_to
    mv s1, a0
    lla a0, s_sum
    call sbi_puts
    mv a0, s1
    call sbi_puthex
    lla a0, s_hart
    call sbi_puts
    mv a0, s0
    call sbi_puthex
    li s1, 0x22000000
    li s2, 0x22010000
    li s3, 0
1:  lw t0, 0(s1)
    slli t1, s3, 5
    sub s3, t1, s3
    add s3, s3, t0
    addi s1, s1, 4
    bltu s1, s2, 1b
    lla a0, s_sum_flash
    call sbi_puts
    mv a0, s3
    call sbi_puthex
    lla a0, s_done
    call sbi_puts
    li a7, SBI_SRST
    li a6, 0                      /* system reset */
    li a0, 0                      /* shutdown */
    li a1, 0                      /* no reason */
    ecall
2:  j 2b

sum_to:
    mv t0, a0
    li a0, 0
1:  add a0, a0, t0
    addi t0, t0, -1
    bnez t0, 1b
    ret

/* sbi_puts a0: a string; keeps ra through s4. */
sbi_puts:
    mv s4, a0
1:  lbu a0, 0(s4)
    beqz a0, 2f
    li a7, SBI_PUTCHAR
    ecall
    addi s4, s4, 1
    j 1b
2:  ret

/* sbi_puthex a0: the low 32 bits in hex and a newline. */
sbi_puthex:
    mv s4, a0
    li s5, 28
1:  srl a0, s4, s5
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 'a' - 10 - '0'
2:  addi a0, a0, '0'
    li a7, SBI_PUTCHAR
    ecall
    addi s5, s5, -4
    bgez s5, 1b
    li a0, '\n'
    li a7, SBI_PUTCHAR
    ecall
    ret

s_hello:  .asciz "\nxip-s: hello from flash bank 1 in S-mode\n"
s_sum:    .asciz "xip-s: sum to 500 "
s_hart:   .asciz "xip-s: hart "
s_sum_flash: .asciz "xip-s: flash sum "
s_done:   .asciz "xip-s: done\n"

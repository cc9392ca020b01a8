/* Bare-metal probe of the goldfish RTC, the PLIC wiring of its alarm
 * (source 11) and the empty virtio-mmio slots. Prints on the UART:
 *   rtc <time, 16 hex digits>
 *   virtio0 <magic> <version> <device id> <vendor>   (slot at 0x10001000)
 *   virtio7 ...                                       (slot at 0x10008000)
 *   alarm claim <source> status <ALARM_STATUS> due <1 if time >= alarm>
 *   rtc <time>
 * then powers off through the SiFive test device. Any unexpected trap exits
 * with status 1. Run with -bios none (starts at 0x80000000). */
    .equ UART, 0x10000000
    .equ RTC, 0x101000
    .equ PLIC, 0x0c000000
    .equ TEST, 0x100000
    .equ VIRTIO0, 0x10001000
    .equ VIRTIO7, 0x10008000
    .equ ALARM_NS, 1000000

    .section .text.init, "ax"
    .globl _start
_start:
    lla sp, stack_top
    lla t0, trap
    csrw mtvec, t0

    lla a0, s_rtc
    call puts
    call rtc_time
    call puthex64
    call newline

    lla a0, s_virtio0
    li a1, VIRTIO0
    call virtio_line
    lla a0, s_virtio7
    li a1, VIRTIO7
    call virtio_line

    /* PLIC: source 11 priority 1, enabled for context 0 (M), threshold 0. */
    li t0, PLIC
    li t1, 1
    sw t1, 44(t0)
    li t2, PLIC + 0x2000
    li t1, 1 << 11
    sw t1, 0(t2)
    li t2, PLIC + 0x200000
    sw zero, 0(t2)

    /* Alarm 1 ms from now, interrupt enabled. */
    call rtc_time
    li t0, ALARM_NS
    add s1, a0, t0                 /* s1 = alarm time */
    li s0, RTC
    srli t1, s1, 32
    sw t1, 0x0c(s0)                /* ALARM_HIGH */
    sw s1, 0x08(s0)                /* ALARM_LOW: arms */
    li t1, 1
    sw t1, 0x10(s0)                /* IRQ_ENABLED */

    li t0, 1 << 11
    csrs mie, t0                   /* MEIE */
    csrsi mstatus, 8               /* MIE */
1:  wfi
    lla t0, claimed
    lw t1, 0(t0)
    beqz t1, 1b
    csrci mstatus, 8

    lla a0, s_alarm
    call puts
    lla t0, claimed
    lwu a0, 0(t0)
    call puthex32
    lla a0, s_status
    call puts
    lwu a0, 0x18(s0)               /* ALARM_STATUS */
    call puthex32
    lla a0, s_due
    call puts
    call rtc_time
    sltu a0, a0, s1
    xori a0, a0, 1
    call puthex32
    call newline

    lla a0, s_rtc
    call puts
    call rtc_time
    call puthex64
    call newline

    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
2:  j 2b

    .align 2                       /* mtvec needs a 4-byte aligned handler */
/* An interrupt: claim, clear the RTC's interrupt, complete. Uses t5/t6 only. */
trap:
    csrr t5, mcause
    bgez t5, fail
    li t5, PLIC + 0x200004
    lw t6, 0(t5)                   /* claim */
    sw t6, 0(t5)                   /* complete (after the source is cleared below) */
    lla t5, claimed
    sw t6, 0(t5)
    li t5, RTC
    sw zero, 0x1c(t5)              /* CLEAR_INTERRUPT */
    mret
fail:
    li t5, TEST
    li t6, (1 << 16) | 0x3333
    sw t6, 0(t5)
3:  j 3b

/* a0 = RTC time (TIME_LOW latches TIME_HIGH). */
rtc_time:
    li t0, RTC
    lwu t1, 0(t0)
    lwu t2, 4(t0)
    slli t2, t2, 32
    or a0, t1, t2
    ret

/* a0 = label, a1 = slot base: "label magic version id vendor\n" */
virtio_line:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s2, 8(sp)
    mv s2, a1
    call puts
    lwu a0, 0(s2)
    call puthex32
    call space
    lwu a0, 4(s2)
    call puthex32
    call space
    lwu a0, 8(s2)
    call puthex32
    call space
    lwu a0, 12(s2)
    call puthex32
    call newline
    ld ra, 0(sp)
    ld s2, 8(sp)
    addi sp, sp, 16
    ret

putc:                              /* a0 = char */
    li t0, UART
1:  lbu t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 1b
    sb a0, 0(t0)
    ret

puts:                              /* a0 = string */
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s3, 8(sp)
    mv s3, a0
1:  lbu a0, 0(s3)
    beqz a0, 2f
    call putc
    addi s3, s3, 1
    j 1b
2:  ld ra, 0(sp)
    ld s3, 8(sp)
    addi sp, sp, 16
    ret

space:
    li a0, ' '
    j putc
newline:
    li a0, '\n'
    j putc

puthex32:
    li a1, 8
    slli a0, a0, 32
    j puthex
puthex64:
    li a1, 16
puthex:                            /* a0 = value (top a1 nibbles printed) */
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s4, 8(sp)
    sd s5, 16(sp)
    mv s4, a0
    mv s5, a1
1:  srli a0, s4, 60
    slli s4, s4, 4
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 'a' - '0' - 10
2:  addi a0, a0, '0'
    call putc
    addi s5, s5, -1
    bnez s5, 1b
    ld ra, 0(sp)
    ld s4, 8(sp)
    ld s5, 16(sp)
    addi sp, sp, 32
    ret

    .section .rodata
s_rtc:     .asciz "rtc "
s_virtio0: .asciz "virtio0 "
s_virtio7: .asciz "virtio7 "
s_alarm:   .asciz "alarm claim "
s_status:  .asciz " status "
s_due:     .asciz " due "

    .section .bss
    .align 4
claimed: .word 0
    .align 4
    .space 4096
stack_top:

/* A bare-metal guest that reads the virt board's fw_cfg and drives its
 * second flash bank, printing what it sees, so that rewind's output can be
 * compared line by line with QEMU's for the same command line:
 *  - fw_cfg through the data register: the first 16 bytes of items
 *    0x00..0x2f, the whole file directory; the DMA register's signature;
 *  - fw_cfg through DMA: the directory, a skip, a read past the end, and
 *    hostile descriptors (buffers outside RAM, past its end, huge lengths,
 *    writes to read-only items, a descriptor outside RAM): only the control
 *    word each ends with is printed;
 *  - the flash at 0x22000000 (-drive if=pflash,unit=1): identifier, CFI
 *    query, status, block erase, word program, buffered program, a bad
 *    erase confirm, clear status, reads of every size; bank 0 (no drive).
 * Then "probe: done" and a power-off. Any trap prints "probe: trap ..." and
 * exits 1. Run as -bios (M-mode at 0x80000000) with -m 128M: with a
 * drive on flash unit 1, QEMU does not load a -kernel. */
    .option arch, +zbb          /* rev8 */
    .equ UART, 0x10000000
    .equ TEST, 0x100000
    .equ FWCFG, 0x10100000
    .equ FLASH0, 0x20000000
    .equ FLASH1, 0x22000000

    .section .text.init, "ax"
    .globl _start
_start:
    lla sp, stack_top
    lla t0, trap
    csrw mtvec, t0

    /* ---- fw_cfg, data register ---- */
    li s0, 0
items:
    mv a0, s0
    call fw_select
    lla a0, s_item
    call puts
    mv a0, s0
    li a1, 2
    call puthex
    li a0, ':'
    call putc
    call fw_read8
    call putbytes8
    call fw_read8
    call putbytes8
    call newline
    addi s0, s0, 1
    li t0, 0x30
    blt s0, t0, items

    /* The directory: a big-endian count, then 64 bytes per file. */
    li a0, 0x19
    call fw_select
    li t0, FWCFG
    lw s1, 0(t0)                 /* 4 bytes in string order */
    rev8 s1, s1
    srli s1, s1, 32
    lla a0, s_dir
    call puts
    mv a0, s1
    li a1, 4
    call puthex
    call newline
    slli s1, s1, 3               /* count * 8 reads of 8 bytes */
dir:
    beqz s1, dir_done
    call fw_read8
    call putbytes8
    addi s1, s1, -1
    andi t0, s1, 7
    bnez t0, dir
    call newline
    j dir
dir_done:

    /* The DMA register reads "QEMU CFG", big-endian. */
    lla a0, s_sig
    call puts
    li t0, FWCFG
    ld a0, 0x10(t0)
    call putbytes8
    li t0, FWCFG
    lwu a0, 0x14(t0)
    li a1, 4
    call puthex
    call newline

    /* ---- fw_cfg, DMA ---- */
    /* select the directory and read 4 + 3 * 64 bytes */
    li a0, (0x19 << 16) | 0x0a
    li a1, 196
    lla a2, buffer
    call dma
    lla a0, buffer
    li a1, 196
    call dump
    /* select etc/boot-fail-wait (0x22), skip 1, read 8 (3 bytes, then zeros) */
    call fill_buffer
    li a0, (0x22 << 16) | 0x0c
    li a1, 1
    li a2, 0
    call dma
    li a0, 0x02
    li a1, 8
    lla a2, buffer
    call dma
    lla a0, buffer
    li a1, 16
    call dump
    /* Hostile descriptors: each prints its final control word. */
    li a0, (0x00 << 16) | 0x0a   /* buffer at 0 (nothing there) */
    li a1, 4
    li a2, 0
    call dma
    li a0, (0x00 << 16) | 0x0a   /* buffer across the end of RAM */
    li a1, 16
    li a2, 0x87fffff8
    call dma
    li a0, (0x00 << 16) | 0x0a   /* 1 MiB, its second half past RAM */
    li a1, 0x100000
    li a2, 0x87f80000
    call dma
    li a0, (0x00 << 16) | 0x0a   /* an address that wraps */
    li a1, 64
    li a2, -16
    call dma
    li a0, (0x00 << 16) | 0x18   /* write to the signature */
    li a1, 4
    lla a2, buffer
    call dma
    li a0, 0                     /* nothing asked */
    li a1, 4
    lla a2, buffer
    call dma
    li a0, (0x7fff << 16) | 0x0a /* an item that does not exist */
    li a1, 8
    lla a2, buffer
    call dma
    lla a0, buffer
    li a1, 8
    call dump
    /* A descriptor outside RAM and one across its end: no crash, and the
     * data register still works after them. */
    li t0, FWCFG
    li t1, 0x0000000000000000    /* descriptor at 0 */
    sd t1, 0x10(t0)
    li t1, 0xf8ffff8700000000    /* 0x87fffff8, big-endian */
    sd t1, 0x10(t0)
    li t1, 0xffffffff
    sw t1, 0x10(t0)              /* high half only: nothing runs */
    li a0, 0
    call fw_select
    lla a0, s_after
    call puts
    call fw_read8
    call putbytes8
    call newline

    /* ---- flash bank 1 ---- */
    li s0, FLASH1
    lla a0, s_f_array
    call puts
    lwu a0, 0(s0)
    call put32
    call newline
    li t0, 0x00900090
    sw t0, 0(s0)
    lla a0, s_f_id
    call puts
    lwu a0, 0(s0)
    call put32
    lwu a0, 4(s0)
    call put32
    lwu a0, 8(s0)
    call put32
    call newline
    li t0, 0x00ff00ff
    sw t0, 0(s0)
    li t0, 0x00980098
    sw t0, 0(s0)
    lla a0, s_f_cfi
    call puts
    li s1, 0x10
cfi:
    slli t0, s1, 2
    add t0, t0, s0
    lwu a0, 0(t0)
    call put32
    addi s1, s1, 1
    li t0, 0x44
    blt s1, t0, cfi
    call newline
    li t0, 0x00700070            /* ignored in query mode */
    sw t0, 0(s0)
    lla a0, s_f_q70
    call puts
    lwu a0, 0x40(s0)
    call put32
    call newline
    li t0, 0x00ff00ff
    sw t0, 0(s0)
    li t0, 0x00700070
    sw t0, 0(s0)
    lla a0, s_f_status
    call puts
    lwu a0, 0(s0)
    call put32
    ld a0, 0(s0)
    call put64
    lhu a0, 2(s0)
    call put32
    call newline
    /* erase sector 1 */
    li s2, FLASH1 + 0x40000
    li t0, 0x00200020
    sw t0, 0(s2)
    li t0, 0x00d000d0
    sw t0, 0(s2)
    lla a0, s_f_erase
    call puts
    lwu a0, 0(s2)
    call put32
    li t0, 0x00ff00ff
    sw t0, 0(s2)
    lwu a0, 0(s2)
    call put32
    lwu a0, 0(s0)
    call put32
    call newline
    /* word program */
    li t0, 0x00400040
    sw t0, 0x10(s2)
    li t0, 0xcafef00d
    sw t0, 0x10(s2)
    lla a0, s_f_prog
    call puts
    lwu a0, 0x10(s2)
    call put32
    li t0, 0x00ff00ff
    sw t0, 0(s2)
    lwu a0, 0x10(s2)
    call put32
    call newline
    /* buffered program: 4 bus writes */
    li t0, 0x00e800e8
    sw t0, 0x100(s2)
    lla a0, s_f_buf
    call puts
    lwu a0, 0x100(s2)
    call put32
    li t0, 0x00030003
    sw t0, 0x100(s2)
    li t0, 0x04030201
    sw t0, 0x100(s2)
    li t0, 0x08070605
    sw t0, 0x104(s2)
    li t0, 0x0c0b0a09
    sw t0, 0x108(s2)
    li t0, 0x100f0e0d
    sw t0, 0x10c(s2)
    li t0, 0x00d000d0
    sw t0, 0x100(s2)
    lwu a0, 0x100(s2)
    call put32
    li t0, 0x00ff00ff
    sw t0, 0(s2)
    ld a0, 0x100(s2)
    call put64
    ld a0, 0x108(s2)
    call put64
    lbu a0, 0x105(s2)
    call put32
    lhu a0, 0x10a(s2)
    call put32
    call newline
    /* erase sector 0, then a bad confirm on sector 2 */
    li t0, 0x00200020
    sw t0, 0(s0)
    li t0, 0x00d000d0
    sw t0, 0(s0)
    li t0, 0x00ff00ff
    sw t0, 0(s0)
    li s3, FLASH1 + 0x80000
    li t0, 0x00200020
    sw t0, 0(s3)
    li t0, 0x00550055
    sw t0, 0(s3)
    lla a0, s_f_bad
    call puts
    lwu a0, 0(s0)
    call put32
    lwu a0, 0(s3)
    call put32
    li t0, 0x00500050
    sw t0, 0(s0)
    li t0, 0x00700070
    sw t0, 0(s0)
    lwu a0, 0(s0)
    call put32
    li t0, 0x00ff00ff
    sw t0, 0(s0)
    call newline
    /* bank 0: no drive */
    li s0, FLASH0
    lla a0, s_f_bank0
    call puts
    lwu a0, 0(s0)
    call put32
    li t0, 0x00980098
    sw t0, 0(s0)
    lwu a0, 0x40(s0)
    call put32
    li t0, 0x00ff00ff
    sw t0, 0(s0)
    lwu a0, 0(s0)
    call put32
    call newline

    lla a0, s_done
    call puts
    call newline
    li t0, TEST
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b

/* ---- helpers ---- */
fw_select:                       /* a0: key; the register is big-endian */
    slli t0, a0, 8
    srli t1, a0, 8
    or t0, t0, t1
    li t1, FWCFG
    sh t0, 8(t1)
    ret
fw_read8:
    li t0, FWCFG
    ld a0, 0(t0)
    ret
/* dma(a0 control, a1 length, a2 address): runs one descriptor and prints
 * "dma CONTROL LENGTH -> RESULT". */
dma:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd a0, 8(sp)
    sd a1, 16(sp)
    lla t0, desc
    rev8 t1, a0
    srli t1, t1, 32
    sw t1, 0(t0)
    rev8 t1, a1
    srli t1, t1, 32
    sw t1, 4(t0)
    rev8 t1, a2
    sd t1, 8(t0)
    rev8 t1, t0
    li t2, FWCFG
    sd t1, 0x10(t2)
    lla a0, s_dma
    call puts
    ld a0, 8(sp)
    li a1, 4
    call puthex
    li a0, ' '
    call putc
    ld a0, 16(sp)
    li a1, 4
    call puthex
    lla a0, s_arrow
    call puts
    lla t0, desc
    lwu a0, 0(t0)
    rev8 a0, a0
    srli a0, a0, 32
    li a1, 4
    call puthex
    call newline
    ld ra, 0(sp)
    addi sp, sp, 32
    ret
fill_buffer:
    lla t0, buffer
    li t1, 256
    li t2, 0xaa
1:  sb t2, 0(t0)
    addi t0, t0, 1
    addi t1, t1, -1
    bnez t1, 1b
    ret
dump:                            /* a0 address, a1 length: hex lines of 32 bytes */
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    mv s1, a1
    lla a0, s_buf
    call puts
1:  beqz s1, 2f
    lbu a0, 0(s0)
    li a1, 1
    call puthex
    addi s0, s0, 1
    addi s1, s1, -1
    j 1b
2:  call newline
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
putbytes8:                       /* a0's bytes, lowest first */
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    li s1, 8
1:  andi a0, s0, 0xff
    li a1, 1
    call puthex
    srli s0, s0, 8
    addi s1, s1, -1
    bnez s1, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
put32:                           /* " XXXXXXXX" */
    addi sp, sp, -16
    sd ra, 0(sp)
    sd a0, 8(sp)
    li a0, ' '
    call putc
    ld a0, 8(sp)
    li a1, 4
    call puthex
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
put64:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd a0, 8(sp)
    li a0, ' '
    call putc
    ld a0, 8(sp)
    li a1, 8
    call puthex
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
puthex:                          /* a0 value, a1 bytes: 2*a1 digits */
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    slli s1, a1, 3
1:  addi s1, s1, -4
    srl a0, s0, s1
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 'a' - '0' - 10
2:  addi a0, a0, '0'
    call putc
    bnez s1, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
newline:
    li a0, '\n'
    j putc
puts:                            /* a0: NUL-terminated string */
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
1:  lbu a0, 0(s0)
    beqz a0, 2f
    call putc
    addi s0, s0, 1
    j 1b
2:  ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
putc:
    li t0, UART
1:  lbu t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 1b
    sb a0, 0(t0)
    ret

trap:
    lla a0, s_trap
    call puts
    csrr a0, mcause
    call put64
    csrr a0, mepc
    call put64
    csrr a0, mtval
    call put64
    call newline
    li t0, TEST
    li t1, 0x13333                /* exit status 1 */
    sw t1, 0(t0)
1:  j 1b

    .section .rodata
s_item:  .asciz "fw_cfg item "
s_dir:   .asciz "fw_cfg files "
s_sig:   .asciz "fw_cfg dma register "
s_dma:   .asciz "dma "
s_arrow: .asciz " -> "
s_buf:   .asciz "buffer "
s_after: .asciz "after bad descriptors, item 0: "
s_f_array:  .asciz "flash1 array"
s_f_id:     .asciz "flash1 id"
s_f_cfi:    .asciz "flash1 cfi"
s_f_q70:    .asciz "flash1 query after 0x70"
s_f_status: .asciz "flash1 status"
s_f_erase:  .asciz "flash1 erase: status, array, sector 0"
s_f_prog:   .asciz "flash1 program: status, array"
s_f_buf:    .asciz "flash1 buffered: status, status, data"
s_f_bad:    .asciz "flash1 bad confirm: sector 0, status, after clear"
s_f_bank0:  .asciz "flash0 array, query, array"
s_done:  .asciz "probe: done"
s_trap:  .asciz "probe: trap"

    .section .data
    .balign 16
desc:    .zero 16
buffer:  .zero 256
    .balign 16
stack:   .zero 4096
stack_top:

/*
 * jvmx 32-bit protected-mode guest kernels: Multiboot header and entry, GDT, interrupt stubs
 * (GNU as, AT&T syntax). The loader enters _start with paging off, EAX = 0x2BADB002; the kernel
 * loads its own GDT and segments, sets up the console and IDT and calls kmain().
 */
    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002                    /* magic */
    .long 0x00000003                    /* flags: page-aligned modules, memory information */
    .long -(0x1BADB002 + 0x00000003)    /* checksum */

    .section .text.start, "ax"
    .code32
    .globl _start
_start:
    cli
    mov     $stack_top, %esp
    mov     %eax, multiboot_magic
    mov     %ebx, multiboot_info
    lgdt    gdt_pointer
    ljmp    $0x08, $1f
1:  mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %fs
    mov     %ax, %gs
    mov     %ax, %ss
    xor     %ebp, %ebp
    call    serial_init
    call    idt_init
    call    kmain
    push    $0
    call    exit_guest
2:  cli
    hlt
    jmp     2b

/* One stub per vector: push a zero error code where the CPU pushes none, push the vector. */
    .macro stub n
    .align 16
stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushl   $0
    .endif
    pushl   $\n
    jmp     common
    .endm

    .altmacro
    .set i, 0
    .rept 256
    stub %i
    .set i, i + 1
    .endr

common:
    pusha
    push    %ds
    push    %es
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    push    %esp                /* struct frame * */
    call    trap
    add     $4, %esp
    pop     %es
    pop     %ds
    popa
    add     $8, %esp            /* vector and error code */
    iret

    .globl stubs
    .set stubs, stub_0

    .section .data
    .align 8
    .globl gdt
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF            /* 0x08: ring-0 code, 32-bit, flat */
    .quad 0x00CF92000000FFFF            /* 0x10: ring-0 data, flat */
    .quad 0x00CFFA000000FFFF            /* 0x18: ring-3 code, 32-bit, flat */
    .quad 0x00CFF2000000FFFF            /* 0x20: ring-3 data, flat */
    .quad 0                             /* 0x28: the TSS (tss_init) */
gdt_end:
gdt_pointer:
    .word gdt_end - gdt - 1
    .long gdt

    .globl multiboot_magic, multiboot_info
    .align 4
multiboot_magic: .long 0
multiboot_info:  .long 0

    .section .bss
    .align 16
    .space 65536
stack_top:

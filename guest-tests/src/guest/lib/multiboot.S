/*
 * Multiboot entry for jvmx's guest kernels: the header a Multiboot loader finds in the first
 * 8 KiB, and the 32-bit protected-mode code it enters (paging off, EAX = 0x2BADB002, EBX = the
 * information structure), which builds identity page tables for the first GiB, enables PAE,
 * EFER.LME and paging, loads a 64-bit GDT and far-jumps into 64-bit mode at _start (start.S).
 */
    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002                    /* magic */
    .long 0x00000003                    /* flags: page-aligned modules, memory information */
    .long -(0x1BADB002 + 0x00000003)    /* checksum */

    .section .text.start32, "ax"
    .code32
    .globl _start32
_start32:
    cli
    mov     $boot_stack_top, %esp
    mov     %eax, multiboot_magic
    mov     %ebx, multiboot_info
    movl    $(boot_pdpt + 3), boot_pml4
    movl    $(boot_pd + 3), boot_pdpt
    xor     %ecx, %ecx
1:  mov     %ecx, %eax
    shl     $21, %eax
    or      $0x83, %eax                 /* present, writable, 2 MiB page */
    mov     %eax, boot_pd(,%ecx,8)
    movl    $0, boot_pd+4(,%ecx,8)
    inc     %ecx
    cmp     $512, %ecx
    jne     1b
    mov     %cr4, %eax
    or      $0x20, %eax                 /* CR4.PAE */
    mov     %eax, %cr4
    mov     $boot_pml4, %eax
    mov     %eax, %cr3
    mov     $0xC0000080, %ecx           /* IA32_EFER */
    rdmsr
    or      $0x100, %eax                /* LME */
    wrmsr
    mov     %cr0, %eax
    or      $0x80000001, %eax           /* PG, PE */
    mov     %eax, %cr0                  /* IA-32e mode is active (compatibility mode) */
    lgdt    gdt64_pointer
    ljmp    $0x08, $long_mode

    .code64
long_mode:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    jmp     _start

    .section .rodata
    .align 8
gdt64:
    .quad 0
    .quad 0x00AF9A000000FFFF            /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: data */
gdt64_pointer:
    .word 23
    .long gdt64

    .section .data
    .globl multiboot_magic, multiboot_info
    .align 4
multiboot_magic: .long 0
multiboot_info:  .long 0

    .section .bss
    .align 4096
boot_pml4: .space 4096
boot_pdpt: .space 4096
boot_pd:   .space 4096
    .space 4096
boot_stack_top:

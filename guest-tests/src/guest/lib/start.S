/*
 * jvmx guest kernels: entry and interrupt stubs (64-bit mode, GNU as, AT&T syntax).
 * The loader enters _start in long mode at CPL 0 with paging on (identity map), flat
 * segments 0x08/0x10, interrupts off and RSP on a stack it chose; the kernel switches to its
 * own, enables SSE, sets up the console and the IDT, and calls kmain().
 */
    .section .text.start, "ax"
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    /* SSE for the C code: CR4.OSFXSR and OSXMMEXCPT, CR0.MP on and EM off (SDM Vol. 3A, 13.1.3). */
    mov     %cr4, %rax
    or      $0x600, %rax
    mov     %rax, %cr4
    mov     %cr0, %rax
    and     $~4, %rax
    or      $2, %rax
    mov     %rax, %cr0
    xor     %ebp, %ebp
    call    serial_init
    call    idt_init
    call    kmain
    mov     $0, %edi
    call    exit_guest
1:  cli
    hlt
    jmp     1b

/* One stub per vector: push a zero error code where the CPU pushes none, push the vector. */
    .macro stub n
    .align 16
stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq   $0
    .endif
    pushq   $\n
    jmp     common
    .endm

    .altmacro
    .set i, 0
    .rept 256
    stub %i
    .set i, i + 1
    .endr

common:
    push    %rax
    push    %rcx
    push    %rdx
    push    %rbx
    push    %rbp
    push    %rsi
    push    %rdi
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi          /* struct frame * */
    mov     %rsp, %rbx
    and     $-16, %rsp          /* the C ABI wants a 16-byte aligned stack */
    call    trap
    mov     %rbx, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rdi
    pop     %rsi
    pop     %rbp
    pop     %rbx
    pop     %rdx
    pop     %rcx
    pop     %rax
    add     $16, %rsp           /* vector and error code */
    iretq

/* The address of stub n is stubs + 16 * n. */
    .globl stubs
    .set stubs, stub_0

    .section .bss
    .align 16
    .space 65536
stack_top:

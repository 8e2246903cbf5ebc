/*
 * Ring 3 and back: the kernel enters user mode through IRETQ; user code asks the kernel for
 * service with SYSCALL (LSTAR entry, SYSRETQ back); a privileged instruction at CPL 3 is #GP,
 * delivered on the TSS.RSP0 stack; an interrupt stack (IST) is used when its gate says so.
 */
#include "kernel.h"

/* 0x08 kernel code, 0x10 kernel data, 0x1B user data, 0x23 user code (the SYSRET layout), 0x30 TSS. */
static uint64_t gdt[8] __attribute__((aligned(16))) = {
    0, 0x00AF9A000000FFFFull, 0x00CF92000000FFFFull, 0x00CFF2000000FFFFull, 0x00AFFA000000FFFFull, 0, 0, 0,
};

static struct {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap;
} __attribute__((packed)) tss;

static uint8_t kernel_stack[16384] __attribute__((aligned(16)));
static uint8_t ist_stack[8192] __attribute__((aligned(16)));
static uint8_t user_stack[16384] __attribute__((aligned(16)));
uint64_t syscall_stack_top;

/* SYSCALL enters here at CPL 0 with the user RSP still loaded: switch stacks, call the dispatcher, SYSRETQ. */
__asm__(
    ".globl syscall_entry\n"
    "syscall_entry:\n"
    "  mov %rsp, %r12\n"
    "  mov syscall_stack_top(%rip), %rsp\n"
    "  push %rcx\n"
    "  push %r11\n"
    "  mov %rax, %rdi\n"
    "  mov %rbx, %rsi\n"
    "  call syscall_dispatch\n"
    "  pop %r11\n"
    "  pop %rcx\n"
    "  mov %r12, %rsp\n"
    "  sysretq\n");
extern char syscall_entry[];

static uint64_t user_syscall(uint64_t nr, uint64_t arg) {
    uint64_t r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "b"(arg) : "rcx", "r11", "r12", "memory");
    return r;
}

uint64_t syscall_dispatch(uint64_t nr, uint64_t arg) {
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    switch (nr) {
        case 1:
            printf("syscall from ring 3: %s (kernel CS %x)\n", (const char *) arg, (uint64_t) cs);
            return 0;
        case 2:
            puts("user mode done\n");
            exit_guest(0);
    }
    return (uint64_t) -1;
}

static void user_main(void) {
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    user_syscall(1, cs == 0x23 ? (uint64_t) "hello, CPL 3" : (uint64_t) "wrong CS");
    __asm__ volatile("hlt");                                 /* privileged: #GP, then the kernel skips it */
    __asm__ volatile("int3");                                /* #BP gate has DPL 3 and IST 1 */
    user_syscall(2, 0);
}

static void gp(struct frame *f) {
    int on_kernel_stack = (uint64_t) f >= (uint64_t) kernel_stack && (uint64_t) f < (uint64_t) kernel_stack + sizeof kernel_stack;
    printf("#GP from CS %x error %x, handler on the TSS.RSP0 stack: %s\n", f->cs, f->error, on_kernel_stack ? "yes" : "no");
    f->rip += 1;                                             /* skip the HLT */
}

static void bp(struct frame *f) {
    int on_ist = (uint64_t) f >= (uint64_t) ist_stack && (uint64_t) f < (uint64_t) ist_stack + sizeof ist_stack;
    printf("#BP from CS %x, handler on the IST1 stack: %s\n", f->cs, on_ist ? "yes" : "no");
}

void kmain(void) {
    uint64_t t = (uint64_t) &tss;
    gdt[6] = 0x0000890000000067ull | (t & 0xFFFFFF) << 16 | ((t >> 24) & 0xFF) << 56;   /* 64-bit TSS */
    gdt[7] = t >> 32;
    tss.rsp[0] = (uint64_t) kernel_stack + sizeof kernel_stack;
    tss.ist[0] = (uint64_t) ist_stack + sizeof ist_stack;
    tss.iomap = sizeof tss;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint64_t) gdt};
    __asm__ volatile("lgdt %0\n ltr %w1" : : "m"(gdtr), "r"(0x30) : "memory");

    set_handler(13, gp);
    set_handler(3, bp);
    idt_set_dpl(3, 3);
    idt_set_ist(3, 1);

    syscall_stack_top = (uint64_t) kernel_stack + sizeof kernel_stack - 4096;
    wrmsr(0xC0000080, rdmsr(0xC0000080) | 1);                /* EFER.SCE */
    wrmsr(0xC0000081, (0x10ull << 48) | (0x08ull << 32));    /* STAR: SYSRET base 0x10, SYSCALL CS 0x08 */
    wrmsr(0xC0000082, (uint64_t) syscall_entry);             /* LSTAR */
    wrmsr(0xC0000084, 0x200);                                /* FMASK: IF */

    puts("entering ring 3 through IRETQ\n");
    __asm__ volatile(
        "push $0x1B\n push %0\n push $0x202\n push $0x23\n push %1\n iretq"
        : : "r"((uint64_t) user_stack + sizeof user_stack), "r"((uint64_t) user_main) : "memory");
}

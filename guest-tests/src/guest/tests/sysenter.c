/* SYSENTER and SYSEXITQ (Intel's fast system calls, available in IA-32e mode): ring 3 -> 0 -> 3. */
#include "kernel.h"

/* 0x08 kernel code, 0x10 kernel data; SYSEXITQ returns to 0x2B (SYSENTER_CS + 32) and 0x33 (+ 40). */
static uint64_t gdt[7] __attribute__((aligned(16))) = {
    0, 0x00AF9A000000FFFFull, 0x00CF92000000FFFFull, 0, 0, 0x00AFFA000000FFFFull, 0x00CFF2000000FFFFull,
};
static uint8_t kernel_stack[8192] __attribute__((aligned(16)));
static uint8_t user_stack[8192] __attribute__((aligned(16)));

/* SYSENTER lands here on the IA32_SYSENTER_ESP stack; RCX/RDX hold the user RSP/RIP for SYSEXITQ. */
__asm__(
    ".globl sysenter_entry\n"
    "sysenter_entry:\n"
    "  push %rcx\n"
    "  push %rdx\n"
    "  mov %rax, %rdi\n"
    "  call sysenter_dispatch\n"
    "  pop %rdx\n"
    "  pop %rcx\n"
    "  sysexitq\n");
extern char sysenter_entry[];

void sysenter_dispatch(uint64_t nr) {
    uint16_t cs, ss;
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
    if (nr == 1) {
        printf("sysenter: kernel CS %x SS %x\n", (uint64_t) cs, (uint64_t) ss);
        return;
    }
    puts("sysenter done\n");
    exit_guest(0);
}

static void user_enter(uint64_t nr) {
    /* RDX = where SYSEXITQ returns, RCX = the stack to return with. */
    __asm__ volatile("lea 1f(%%rip), %%rdx\n mov %%rsp, %%rcx\n sysenter\n 1:"
                     : : "a"(nr) : "rcx", "rdx", "rdi", "rsi", "r8", "r9", "r10", "r11", "memory");
}

static void user_main(void) {
    user_enter(1);
    uint16_t cs, ss;
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
    if (cs == 0x2B && ss == 0x33) user_enter(2);
    for (;;) { }
}

void kmain(void) {
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint64_t) gdt};
    __asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
    wrmsr(0x174, 0x08);                                        /* IA32_SYSENTER_CS */
    wrmsr(0x175, (uint64_t) kernel_stack + sizeof kernel_stack); /* IA32_SYSENTER_ESP */
    wrmsr(0x176, (uint64_t) sysenter_entry);                   /* IA32_SYSENTER_EIP */
    __asm__ volatile(
        "push $0x33\n push %0\n push $0x2\n push $0x2B\n push %1\n iretq"
        : : "r"((uint64_t) user_stack + sizeof user_stack), "r"((uint64_t) user_main) : "memory");
}

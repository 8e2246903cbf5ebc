/*
 * Exceptions raised by real instructions reach their IDT handlers with the frame the SDM gives
 * (error code or not, RIP of the faulting instruction or after a trap), and the handler can
 * resume; a fault while delivering a fault becomes #DF.
 */
#include "kernel.h"

uint64_t resume_to;
static volatile uint64_t seen_vector, seen_error, seen_rip;

static void record(struct frame *f) {
    seen_vector = f->vector;
    seen_error = f->error;
    seen_rip = f->rip;
    f->rip = resume_to;
}

static void clear_ts(struct frame *f) {
    __asm__ volatile("clts");
    record(f);
}

static void simd(struct frame *f) {
    uint32_t m = 0x1F80;
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
    record(f);
}

static void report(const char *name) {
    printf("%s: vector %u error %x\n", name, seen_vector, seen_error);
    seen_vector = 999;
}

/* Sets resume_to to the label after the instruction, then runs it. */
#define TRY(insns, ...) __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, resume_to(%%rip)\n" insns "\n1:" \
        ::: "rax", "rbx", "rcx", "rdx", "memory" __VA_ARGS__)

static uint64_t gdt[8] __attribute__((aligned(16))) = {
    0, 0x00AF9A000000FFFFull, 0x00CF92000000FFFFull, 0, 0,
    0x00CF12000000FFFFull,               /* 0x28: a data segment that is not present */
};

void kmain(void) {
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint64_t) gdt};
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    for (int v = 0; v < 256; v++) set_handler(v, record);
    set_handler(7, clear_ts);
    set_handler(19, simd);

    TRY("xor %%ecx, %%ecx\n xor %%edx, %%edx\n mov $1, %%eax\n div %%ecx");
    report("#DE div by zero");
    TRY("int3");
    report("#BP int3");
    TRY("ud2");
    report("#UD ud2");
    TRY(".byte 0xce");                                   /* INTO: invalid in 64-bit mode */
    report("#UD into");
    TRY("mov %%cr0, %%rax\n or $8, %%rax\n mov %%rax, %%cr0\n addps %%xmm0, %%xmm0");
    report("#NM with CR0.TS");
    TRY("mov $0x28, %%eax\n mov %%ax, %%ds");
    report("#NP segment not present");
    TRY("mov $0x8000000000000000, %%rbx\n mov (%%rsp,%%rbx), %%rax");
    report("#SS non-canonical stack");
    TRY("mov $0x8000000000000000, %%rax\n mov (%%rax), %%rax");
    report("#GP non-canonical");
    TRY("mov $0x7f0000000000, %%rax\n mov (%%rax), %%rax");
    printf("#PF read at %x", read_cr2());
    report("");
    TRY("mov $0x7f0000001000, %%rax\n movq $1, (%%rax)");
    printf("#PF write at %x", read_cr2());
    report("");
    TRY("sub $4, %%rsp\n movl $0x1d80, (%%rsp)\n ldmxcsr (%%rsp)\n add $4, %%rsp\n"
        " mov $0x3f800000, %%eax\n movd %%eax, %%xmm0\n xorps %%xmm1, %%xmm1\n divss %%xmm1, %%xmm0", , "xmm0", "xmm1");
    report("#XM divide by zero unmasked");
    TRY("int $0x40");
    report("int 0x40");
    TRY("int $0xff");
    report("int 0xff");

    /* #GP whose handler's gate is not present: #NP while delivering #GP -> #DF (error code 0). */
    set_handler(8, record);
    idt_set_dpl(13, 0);
    idt_clear_present(13);
    idt_clear_present(11);
    TRY("mov $0x8000000000000000, %%rax\n mov (%%rax), %%rax");
    report("#DF");
    puts("exceptions done\n");
}

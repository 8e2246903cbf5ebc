/*
 * A kernel that stays in 32-bit protected mode: 32-bit paging with 4 MiB (PSE) and 4 KiB pages,
 * page faults handled and resumed (not present, write-protect), exceptions through 8-byte gates
 * with and without error codes, ring 3 entered through IRET and system calls back through an
 * INT 0x80 gate with the TSS's ring-0 stack, and PIT timer interrupts.
 */
#include "kernel32.h"

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));   /* maps 8..12 MiB in 4 KiB pages */
static uint8_t kernel_trap_stack[8192] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static volatile uint32_t ticks;

#define DEMAND 0x00801000u     /* not present until the #PF handler maps it */
#define READONLY 0x00802000u   /* read-only until the #PF handler makes it writable */

static void page_fault(struct frame *f) {
    uint32_t a = read_cr2();
    printf("#PF at %x error %x from CPL %u\n", a, f->error, f->cs & 3);
    if (f->cs & 3) {           /* the user probe of a supervisor page: skip the 2-byte load */
        f->eip += 2;
        return;
    }
    uint32_t i = (a - 0x00800000u) >> 12;
    if (f->error & 1) pt[i] |= 2;                           /* a write to a read-only page: make it writable */
    else pt[i] = (0x00800000u + (i << 12)) | 3;            /* not present: map its frame */
    invlpg(a);
}

static void skip2(struct frame *f) {
    printf("vector %u error %x\n", f->vector, f->error);
    f->eip += 2;
}

static void software(struct frame *f) {
    printf("int 40: vector %u eflags.IF %u\n", f->vector, (f->eflags >> 9) & 1);
}

static void timer(struct frame *f) {
    (void) f;
    ticks++;
    pic_eoi(0);
}

static void finish(void);

static void syscall(struct frame *f) {
    uint32_t esp_now;
    __asm__ volatile("mov %%esp, %0" : "=r"(esp_now));
    int on_trap_stack = esp_now > (uint32_t) kernel_trap_stack && esp_now <= (uint32_t) kernel_trap_stack + sizeof kernel_trap_stack;
    if (f->eax == 1) {
        printf("syscall from CS %x SS %x on the TSS stack %u: %s", f->cs, f->ss, on_trap_stack, (const char *) f->ebx);
        return;
    }
    printf("exit syscall from CPL %u\n", f->cs & 3);
    finish();
}

/* SYSENTER lands here on the SYSENTER_ESP stack at CPL 0; SYSEXIT returns to EDX with ESP = ECX. */
__asm__(".text\n"
        "sysenter_entry:\n"
        "    pusha\n"                  /* the user's registers survive the call, as a kernel keeps them */
        "    call sysenter_handler\n"
        "    popa\n"
        "    sysexit\n");
extern char sysenter_entry[];
static uint8_t sysenter_stack[4096] __attribute__((aligned(16)));

__attribute__((used)) static void sysenter_handler(void) {
    uint32_t cs, ss;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    printf("sysenter: CS %x SS %x\n", cs, ss);
}

static void user_main(void) {
    static const char hello[] = "hello from ring 3\n";
    static const char back[] = "back in ring 3 after sysexit\n";
    __asm__ volatile("int $0x80" : : "a"(1), "b"(hello) : "memory");
    __asm__ volatile("mov %%esp, %%ecx; mov $1f, %%edx; sysenter; 1:" : : : "ecx", "edx", "memory");
    __asm__ volatile("int $0x80" : : "a"(1), "b"(back) : "memory");
    /* A supervisor-only page read from ring 3: #PF with U set; the handler skips the load. */
    __asm__ volatile(".byte 0x8b, 0x01" : : "c"(0x00400000u) : "eax", "memory");
    __asm__ volatile("int $0x80" : : "a"(2) : "memory");
    for (;;) { }
}

static void finish(void) {
    /* PIT channel 0 at 1 kHz on IRQ 0, through a 32-bit interrupt gate. */
    set_handler(0x20, timer);
    pic_init(1);
    outb(0x43, 0x34);
    outb(0x40, 1193 & 0xFF);
    outb(0x40, 1193 >> 8);
    __asm__ volatile("sti");
    while (ticks < 10) __asm__ volatile("hlt");
    __asm__ volatile("cli");
    printf("timer interrupts: %s\n", ticks >= 10 ? "10 or more" : "too few");
    puts("protected32 done\n");
    exit_guest(0);
}

void kmain(void) {
    printf("protected mode: CR0 %x\n", read_cr0());
    *(volatile uint32_t *) DEMAND = 0x600DF00Du;          /* paging still off: physical */
    for (int i = 0; i < 2; i++) pd[i] = (uint32_t) i << 22 | 0x87;   /* 0-8 MiB: 4 MiB pages */
    pd[1] &= ~4u;                                        /* 4-8 MiB: supervisor only */
    for (int i = 0; i < 1024; i++) pt[i] = (0x00800000u + (uint32_t) i * 4096) | 3;
    pt[(DEMAND - 0x00800000u) >> 12] = 0;
    pt[(READONLY - 0x00800000u) >> 12] &= ~2u;
    pd[2] = (uint32_t) pt | 3;
    set_handler(14, page_fault);
    write_cr4(read_cr4() | 0x10);                        /* CR4.PSE */
    write_cr3((uint32_t) pd);
    write_cr0(read_cr0() | 0x80010000u);                 /* PG, WP */
    uint32_t cr0 = read_cr0();
    printf("paging on: CR0.PG %u WP %u CR4.PSE %u\n", cr0 >> 31, (cr0 >> 16) & 1, (read_cr4() >> 4) & 1);

    printf("read after fault: %x\n", *(volatile uint32_t *) DEMAND);
    *(volatile uint32_t *) READONLY = 7;
    printf("write after fault: %u\n", *(volatile uint32_t *) READONLY);
    printf("page directory accessed %u, PTE dirty %u\n", pd[2] >> 5 & 1, pt[2] >> 6 & 1);

    set_handler(0, skip2);
    __asm__ volatile("xor %%edx, %%edx; .byte 0xf7, 0xf1" : : "a"(1), "c"(0) : "edx");   /* div ecx */
    set_handler(6, skip2);
    __asm__ volatile("ud2");
    set_handler(13, skip2);
    __asm__ volatile("mov $0x33, %%eax; .byte 0x8e, 0xd8" : : : "eax");   /* mov ds, ax: beyond the GDT */
    set_handler(40, software);
    __asm__ volatile("int $40");

    tss_init((uint32_t) kernel_trap_stack + sizeof kernel_trap_stack);
    wrmsr(0x174, KERNEL_CS);                                            /* IA32_SYSENTER_CS */
    wrmsr(0x175, (uint32_t) sysenter_stack + sizeof sysenter_stack);    /* IA32_SYSENTER_ESP */
    wrmsr(0x176, (uint32_t) sysenter_entry);                            /* IA32_SYSENTER_EIP */
    set_handler(0x80, syscall);
    idt_set_dpl(0x80, 3);
    idt_set_trap_gate(0x80);
    __asm__ volatile(
        "mov %0, %%ds; mov %0, %%es\n"
        "push %0\n"            /* SS */
        "push %1\n"            /* ESP */
        "push $0x2\n"          /* EFLAGS: IF = 0 */
        "push %2\n"            /* CS */
        "push %3\n"            /* EIP */
        "iret"
        : : "r"((uint32_t) USER_DS), "r"((uint32_t) user_stack + sizeof user_stack), "r"((uint32_t) USER_CS), "r"(user_main)
        : "memory");
    exit_guest(0x7E);
}

/*
 * The local APIC timer in x2APIC mode (MSRs 0x800-0x8FF): periodic at 100 Hz (the model's timer
 * clock is 1 GHz: initial count 10,000,000 with divide by 1), 50 interrupts measured in guest TSC.
 */
#include "kernel.h"

static volatile uint64_t ticks;

static void timer(struct frame *f) {
    (void) f;
    ticks++;
    wrmsr(0x80B, 0);                                         /* EOI */
}

void kmain(void) {
    set_handler(0x40, timer);
    uint64_t base = rdmsr(0x1B);
    wrmsr(0x1B, base | (1 << 11) | (1 << 10));               /* IA32_APIC_BASE: enable, x2APIC */
    printf("lapic: x2APIC id %u, version %x\n", rdmsr(0x802), rdmsr(0x803) & 0xFF);
    wrmsr(0x80F, 0x1FF);                                     /* spurious vector 0xFF, software enable */
    wrmsr(0x83E, 0xB);                                       /* divide by 1 */
    wrmsr(0x832, 0x40 | (1 << 17));                          /* LVT timer: vector 0x40, periodic */
    wrmsr(0x838, 10000000);                                  /* initial count: 10 ms */
    __asm__ volatile("sti");
    while (ticks < 5) __asm__ volatile("hlt");
    uint64_t t0 = rdtsc(), k0 = ticks;
    while (ticks < k0 + 50) __asm__ volatile("hlt");
    uint64_t t1 = rdtsc();
    __asm__ volatile("cli");
    wrmsr(0x832, 1 << 16);                                   /* mask the timer */
    printf("lapic: 50 ticks in %u TSC cycles\n", t1 - t0);
}

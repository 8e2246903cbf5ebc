/* The 8254 PIT in mode 2 at 100 Hz through the 8259 PIC: 50 interrupts take 500 ms of guest time (TSC). */
#include "kernel.h"

static volatile uint64_t ticks;

static void irq0(struct frame *f) {
    (void) f;
    ticks++;
    pic_eoi(0);
}

void kmain(void) {
    set_handler(0x20, irq0);
    pic_init(1 << 0);
    uint16_t div = 11932;                                    /* 1193182 / 100 */
    outb(0x43, 0x34);
    outb(0x40, (uint8_t) div);
    outb(0x40, (uint8_t) (div >> 8));
    __asm__ volatile("sti");
    while (ticks < 5) __asm__ volatile("hlt");               /* settle */
    uint64_t t0 = rdtsc(), k0 = ticks;
    while (ticks < k0 + 50) __asm__ volatile("hlt");
    uint64_t t1 = rdtsc();
    __asm__ volatile("cli");
    printf("pit: 50 ticks in %u TSC cycles\n", t1 - t0);
}

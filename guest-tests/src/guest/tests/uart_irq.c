/* UART interrupts: with IER bit 1 the 16550A raises IRQ 4 when its transmitter empties (IIR = 0x02). */
#include "kernel.h"

static volatile uint64_t irqs;
static volatile uint8_t iir;

static void irq4(struct frame *f) {
    (void) f;
    iir = inb(0x3F8 + 2);                                    /* reading IIR acknowledges THRE */
    irqs++;
    pic_eoi(4);
}

void kmain(void) {
    set_handler(0x24, irq4);
    pic_init(1 << 4);
    __asm__ volatile("sti");
    outb(0x3F8 + 1, 0x02);                                   /* IER: transmitter holding register empty */
    for (int i = 0; i < 1000 && !irqs; i++) __asm__ volatile("pause");
    outb(0x3F8 + 1, 0x00);
    __asm__ volatile("cli");
    printf("uart: %u interrupt(s), IIR %x\n", irqs, (uint64_t) (iir & 0x0F));
}

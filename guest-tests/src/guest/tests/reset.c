/* Reset through the i8042 keyboard controller (command 0xFE pulses the CPU reset line). */
#include "kernel.h"

void kmain(void) {
    puts("resetting through the i8042\n");
    while (inb(0x64) & 2) { }                                /* input buffer empty */
    outb(0x64, 0xFE);
    for (;;) __asm__ volatile("hlt");                        /* never reached: the machine resets */
}

/* The serial console's receive side: poll LSR.DR, read RBR, echo one line back. */
#include "kernel.h"

void kmain(void) {
    char line[64];
    int n = 0;
    puts("ready\n");
    for (;;) {
        while (!(inb(0x3F8 + 5) & 1)) __asm__ volatile("pause");
        char c = (char) inb(0x3F8);
        if (c == '\n' || n == 63) break;
        line[n++] = c;
    }
    line[n] = 0;
    printf("got: %s\n", line);
}

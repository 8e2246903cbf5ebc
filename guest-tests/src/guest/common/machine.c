/* The machine-level part of the guest-kernel libraries (see machine.h). */
#include <stdarg.h>
#include "machine.h"

#define COM1 0x3F8

void serial_init(void) {
    outb(COM1 + 1, 0x00);      /* no UART interrupts */
    outb(COM1 + 3, 0x80);      /* DLAB */
    outb(COM1 + 0, 0x01);      /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);      /* 8N1 */
    outb(COM1 + 2, 0xC7);      /* FIFOs on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x0B);      /* DTR, RTS, OUT2 (the PC's IRQ gate) */
}

void putc(char c) {
    while (!(inb(COM1 + 5) & 0x20)) { }
    outb(COM1, (uint8_t) c);
}

void puts(const char *s) {
    for (; *s; s++) {
        if (*s == '\n') putc('\r');
        putc(*s);
    }
}

/* Numbers are the machine word (unsigned long): 64-bit in 64-bit kernels, 32-bit in 32-bit ones. */
void putu(unsigned long v) {
    char b[21];
    int n = 0;
    do { b[n++] = (char) ('0' + v % 10); v /= 10; } while (v);
    while (n) putc(b[--n]);
}

void puthex(unsigned long v) {
    puts("0x");
    int s = (int) sizeof v * 8 - 4;
    while (s > 0 && !((v >> s) & 15)) s -= 4;
    for (; s >= 0; s -= 4) putc("0123456789abcdef"[(v >> s) & 15]);
}

void printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            if (*fmt == '\n') putc('\r');
            putc(*fmt);
            continue;
        }
        switch (*++fmt) {
            case 's': puts(va_arg(ap, const char *)); break;
            case 'c': putc((char) va_arg(ap, int)); break;
            case 'd': { long v = va_arg(ap, long); if (v < 0) { putc('-'); v = -v; } putu((unsigned long) v); break; }
            case 'u': putu(va_arg(ap, unsigned long)); break;
            case 'x': puthex(va_arg(ap, unsigned long)); break;
            case '%': putc('%'); break;
            default: putc('?'); break;
        }
    }
    va_end(ap);
}

unsigned long strlen(const char *s) { unsigned long n = 0; while (s[n]) n++; return n; }

void exit_guest(int code) {
    outb(0xF4, (uint8_t) code);
    for (;;) __asm__ volatile("cli; hlt");
}

void pic_init(uint16_t unmasked) {
    outb(0x20, 0x11); outb(0xA0, 0x11);   /* ICW1: edge, cascade, ICW4 */
    outb(0x21, 0x20); outb(0xA1, 0x28);   /* ICW2: vectors 0x20, 0x28 */
    outb(0x21, 0x04); outb(0xA1, 0x02);   /* ICW3: slave on IRQ 2 */
    outb(0x21, 0x01); outb(0xA1, 0x01);   /* ICW4: 8086 mode */
    outb(0x21, (uint8_t) ~(unmasked | (unmasked >> 8 ? 4 : 0)));
    outb(0xA1, (uint8_t) ~(unmasked >> 8));
}

void pic_eoi(int irq) {
    if (irq >= 8) outb(0xA0, 0x20);
    outb(0x20, 0x20);
}

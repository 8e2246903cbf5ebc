/* The shared guest-kernel library (see kernel.h). */
#include <stdarg.h>
#include "kernel.h"


void putu(uint64_t v) {
    char b[21];
    int n = 0;
    do { b[n++] = (char) ('0' + v % 10); v /= 10; } while (v);
    while (n) putc(b[--n]);
}

void puthex(uint64_t v) {
    puts("0x");
    int s = 60;
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
            case 'd': { int64_t v = va_arg(ap, int64_t); if (v < 0) { putc('-'); v = -v; } putu((uint64_t) v); break; }
            case 'u': putu(va_arg(ap, uint64_t)); break;
            case 'x': puthex(va_arg(ap, uint64_t)); break;
            case '%': putc('%'); break;
            default: putc('?'); break;
        }
    }
    va_end(ap);
}

uint64_t strlen(const char *s) { uint64_t n = 0; while (s[n]) n++; return n; }

/* ---- interrupts */

struct gate { uint16_t off0, sel; uint8_t ist, type; uint16_t off1; uint32_t off2, zero; } __attribute__((packed));
static struct gate idt[256] __attribute__((aligned(16)));
static handler_t handlers[256];
extern char stubs[];

void idt_init(void) {
    for (int v = 0; v < 256; v++) {
        uint64_t a = (uint64_t) (stubs + 16 * v);
        idt[v] = (struct gate) {(uint16_t) a, 0x08, 0, 0x8E, (uint16_t) (a >> 16), (uint32_t) (a >> 32), 0};
    }
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t) idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_set_ist(int vector, int ist) { idt[vector].ist = (uint8_t) ist; }

void idt_set_dpl(int vector, int dpl) { idt[vector].type = (uint8_t) (0x8E | dpl << 5); }

void idt_clear_present(int vector) { idt[vector].type &= 0x7F; }

void set_handler(int vector, handler_t h) { handlers[vector] = h; }

void trap(struct frame *f) {
    handler_t h = handlers[f->vector];
    if (h) {
        h(f);
        return;
    }
    printf("\nunexpected vector %u error %x at %x\n", f->vector, f->error, f->rip);
    exit_guest(0x7F);
}

/* ---- the monitor and the machine */

uint64_t hypercall(uint64_t nr, uint64_t a, uint64_t b) {
    uint64_t r;
    __asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
    return r;
}


/* The 32-bit guest-kernel library (see kernel32.h). */
#include "kernel32.h"



void *memset(void *d, int c, uint32_t n) {
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t) c;
    return d;
}

void *memcpy(void *d, const void *s, uint32_t n) {
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

/* ---- interrupts: 8-byte gates (SDM Vol. 3A, 6.11) */

struct gate { uint16_t off0, sel; uint8_t zero, type; uint16_t off1; } __attribute__((packed));
static struct gate idt[256] __attribute__((aligned(8)));
static handler_t handlers[256];
extern char stubs[];

void idt_init(void) {
    for (int v = 0; v < 256; v++) {
        uint32_t a = (uint32_t) (stubs + 16 * v);
        idt[v] = (struct gate) {(uint16_t) a, KERNEL_CS, 0, 0x8E, (uint16_t) (a >> 16)};
    }
    idt_load();
}

void idt_load(void) {
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = {sizeof idt - 1, (uint32_t) idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_set_dpl(int vector, int dpl) { idt[vector].type = (uint8_t) ((idt[vector].type & ~0x60) | dpl << 5); }

void idt_set_trap_gate(int vector) { idt[vector].type |= 1; }

void set_handler(int vector, handler_t h) { handlers[vector] = h; }

void trap(struct frame *f) {
    handler_t h = handlers[f->vector];
    if (h) {
        h(f);
        return;
    }
    printf("\nunexpected vector %u error %x at %x\n", f->vector, f->error, f->eip);
    exit_guest(0x7F);
}

/* ---- the TSS (SDM Vol. 3A, 8.2.1): only SS0:ESP0 matter here */

static uint32_t tss[26] __attribute__((aligned(8)));
extern uint32_t gdt[];

void tss_init(uint32_t esp0) {
    memset(tss, 0, sizeof tss);
    tss[1] = esp0;
    tss[2] = KERNEL_DS;
    tss[25] = (uint32_t) sizeof tss << 16; /* I/O map base beyond the limit: no I/O bitmap */
    uint32_t base = (uint32_t) tss, limit = sizeof tss - 1;
    gdt[TSS_SEL / 4] = (base << 16) | (limit & 0xFFFF);
    gdt[TSS_SEL / 4 + 1] = (base & 0xFF000000) | 0x00008900 | ((base >> 16) & 0xFF); /* present, type 9 */
    __asm__ volatile("ltr %w0" : : "r"(TSS_SEL));
}

/* ---- the monitor and the machine */

uint32_t hypercall(uint32_t nr, uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
    return r;
}


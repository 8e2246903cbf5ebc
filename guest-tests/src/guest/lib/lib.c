/* The shared guest-kernel library (see kernel.h). */
#include "kernel.h"



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


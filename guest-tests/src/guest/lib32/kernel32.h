/*
 * The library of jvmx's 32-bit protected-mode guest kernels (the protected32_* boot tests):
 * Multiboot entry with its own GDT (ring 0 and ring 3 segments, a 32-bit TSS), an IDT of 8-byte
 * gates with per-vector handlers, port I/O, the serial console, formatted output, hypercalls and
 * the debug-exit port. The kernel stays in legacy protected mode: no IA-32e mode.
 */
#ifndef JVMX_KERNEL32_H
#define JVMX_KERNEL32_H

#include <stdint.h>
#include "machine.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS 0x1B
#define USER_DS 0x23
#define TSS_SEL 0x28

/* What the stubs push (lowest address first); esp and ss only when the event came from ring 3. */
struct frame {
    uint32_t es, ds, edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags, esp, ss;
};

typedef void (*handler_t)(struct frame *);

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (uint64_t) hi << 32 | lo; }
static inline void invlpg(uint32_t a) { __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory"); }
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t) v), "d"((uint32_t) (v >> 32)));
}
static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t) hi << 32 | lo;
}

void *memset(void *d, int c, uint32_t n);
void *memcpy(void *d, const void *s, uint32_t n);

/* The IDT: every vector enters trap() through its stub; handlers[vector] or a report-and-exit. */
void idt_init(void);
/* Loads the IDT idt_init built (each processor loads IDTR itself). */
void idt_load(void);
void idt_set_dpl(int vector, int dpl);
void idt_set_trap_gate(int vector);
void set_handler(int vector, handler_t h);

/* The TSS: ring-0 stack for events from ring 3 (ESP0/SS0), loaded with LTR. */
void tss_init(uint32_t esp0);

uint32_t hypercall(uint32_t nr, uint32_t a, uint32_t b);

#endif

/*
 * The small library jvmx's guest kernels share (the demo and the boot tests): port I/O, the
 * serial console, formatted output, the IDT with per-vector handlers, MSRs, hypercalls and the
 * debug-exit port. 64-bit mode, CPL 0, identity-mapped memory (the ELF64 boot state).
 */
#ifndef JVMX_KERNEL_H
#define JVMX_KERNEL_H

#include <stdint.h>
#include "machine.h"

struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

typedef void (*handler_t)(struct frame *);

static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (uint64_t) hi << 32 | lo; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t) v), "d"((uint32_t) (v >> 32)));
}
static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t) hi << 32 | lo;
}


/* The IDT: every vector enters trap() through its stub; handlers[vector] or a report-and-exit. */
void idt_init(void);
void idt_set_ist(int vector, int ist);
void idt_set_dpl(int vector, int dpl);
void idt_clear_present(int vector);
void set_handler(int vector, handler_t h);

uint64_t hypercall(uint64_t nr, uint64_t a, uint64_t b);



#endif

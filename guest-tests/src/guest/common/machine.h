/*
 * What every jvmx guest kernel (64-bit and 32-bit) shares: port I/O, the COM1 console, the
 * 8259 PIC pair and the debug-exit port; the code is in machine.c, built for either size.
 */
#ifndef JVMX_MACHINE_H
#define JVMX_MACHINE_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

void serial_init(void);
void putc(char c);
void puts(const char *s);
void putu(unsigned long v);
void puthex(unsigned long v);
/* %s %c %d %u %x (d/u/x take the machine word: long / unsigned long), %%. */
void printf(const char *fmt, ...);
unsigned long strlen(const char *s);

/* Ends the guest through the debug-exit port: the monitor's status is (code << 1) | 1. */
__attribute__((noreturn)) void exit_guest(int code);

/* The PIC remapped to 0x20/0x28 with every line masked but those in `unmasked` (bit n = IRQ n). */
void pic_init(uint16_t unmasked);
void pic_eoi(int irq);

#endif

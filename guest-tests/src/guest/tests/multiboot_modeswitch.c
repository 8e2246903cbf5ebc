/* Booted through Multiboot in 32-bit protected mode, the kernel switched itself into 64-bit mode (lib/multiboot.S). */
#include "kernel.h"

extern uint32_t multiboot_magic, multiboot_info;

void kmain(void) {
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    uint64_t efer = rdmsr(0xC0000080);
    const uint32_t *info = (const uint32_t *) (uint64_t) multiboot_info;
    printf("multiboot magic %x, info flags %x, mem_upper %u KiB\n", (uint64_t) multiboot_magic,
           (uint64_t) info[0], (uint64_t) info[2]);
    printf("64-bit mode: CS %x, EFER.LME %u LMA %u\n", (uint64_t) cs, (efer >> 8) & 1, (efer >> 10) & 1);
}

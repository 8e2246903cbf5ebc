/*
 * A 32-bit protected-mode kernel with PAE paging (no long mode): four PDPTEs, 2 MiB pages for
 * the kernel and 4 KiB pages above 16 MiB, execute-disable with EFER.NXE, a reserved-bit fault,
 * each page fault handled and the faulting instruction resumed.
 */
#include "kernel32.h"

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));     /* 16..18 MiB in 4 KiB pages */

#define NX_PAGE 0x01001000u
#define RSVD_PAGE 0x01002000u
#define XD (1ull << 63)
#define RSVD_BIT (1ull << 51)

static void page_fault(struct frame *f) {
    uint32_t a = read_cr2();
    printf("#PF at %x error %x\n", a, f->error);
    uint32_t i = (a - 0x01000000u) >> 12;
    pt[i] &= ~(XD | RSVD_BIT);
    invlpg(a);
}

void kmain(void) {
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
    printf("CPUID: NX %u\n", (d >> 20) & 1);
    for (int i = 0; i < 8; i++) pd[i] = (uint64_t) i << 21 | 0x83;          /* 0-16 MiB: 2 MiB pages */
    for (int i = 0; i < 512; i++) pt[i] = (0x01000000ull + (uint64_t) i * 4096) | 3;
    pd[8] = (uint32_t) pt | 3;
    pdpt[0] = (uint32_t) pd | 1;
    *(volatile uint8_t *) NX_PAGE = 0xC3;                                   /* ret (paging off: physical) */
    *(volatile uint32_t *) RSVD_PAGE = 0x5AFE;
    pt[(NX_PAGE - 0x01000000u) >> 12] |= XD;
    pt[(RSVD_PAGE - 0x01000000u) >> 12] |= RSVD_BIT;
    set_handler(14, page_fault);

    wrmsr(0xC0000080u, rdmsr(0xC0000080u) | 1u << 11);                     /* EFER.NXE */
    write_cr4(read_cr4() | 0x20);                                          /* CR4.PAE */
    write_cr3((uint32_t) pdpt);
    write_cr0(read_cr0() | 0x80000000u);
    uint64_t efer = rdmsr(0xC0000080u);
    printf("PAE paging on: CR0.PG %u CR4.PAE %u EFER.NXE %u LMA %u\n", read_cr0() >> 31, (read_cr4() >> 5) & 1,
           (uint32_t) (efer >> 11) & 1, (uint32_t) (efer >> 10) & 1);

    ((void (*)(void)) NX_PAGE)();
    puts("execute-disabled page ran after the fault\n");
    printf("reserved-bit page reads %x after the fault\n", *(volatile uint32_t *) RSVD_PAGE);
    printf("2 MiB PDE accessed %u, 4 KiB PTE accessed %u\n", (uint32_t) (pd[0] >> 5) & 1,
           (uint32_t) (pt[(RSVD_PAGE - 0x01000000u) >> 12] >> 5) & 1);
    puts("pae done\n");
    exit_guest(0);
}

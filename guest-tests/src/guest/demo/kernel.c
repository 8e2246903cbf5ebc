/*
 * jvmx demo kernel (freestanding). Shows a guest doing what kernels do under a hypervisor: it
 * boots through Multiboot in 32-bit protected mode and switches itself into long mode
 * (lib/multiboot.S), installs its own IDT and page tables, handles page faults it causes and
 * resumes, takes timer interrupts from the local APIC (x2APIC mode), asks the monitor to print
 * through a hypercall (VMCALL), computes something a person can look at (an ASCII Mandelbrot
 * set) on the 16550A serial console, and exits through the debug-exit port.
 */
#include "kernel.h"

#define HC_PRINT 1

static volatile uint64_t ticks;
static volatile uint64_t page_faults;

/* ---- paging: the kernel's own tables (identity map of the first 16 MiB with 2 MiB pages) */

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_demand[512] __attribute__((aligned(4096)));

#define DEMAND_BASE 0x40000000ull       /* 1 GiB: not mapped until touched */
#define DEMAND_FRAMES 0x00800000ull     /* physical 8 MiB..: frames handed out on demand */

static void paging_init(void) {
    for (int i = 0; i < 8; i++) pd_low[i] = ((uint64_t) i << 21) | 0x83;   /* present, writable, 2 MiB */
    pdpt[0] = (uint64_t) pd_low | 3;
    pdpt[1] = (uint64_t) pd_demand | 3;                                      /* its entries start absent */
    pml4[0] = (uint64_t) pdpt | 3;
    __asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}

static void page_fault(struct frame *f) {
    uint64_t cr2 = read_cr2();
    uint64_t i = (cr2 - DEMAND_BASE) >> 21;
    if (cr2 < DEMAND_BASE || i >= 2 || (pd_demand[i] & 1)) {
        printf("\nunexpected page fault at %x (error %x, RIP %x)\n", cr2, f->error, f->rip);
        exit_guest(0x7F);
    }
    pd_demand[i] = (DEMAND_FRAMES + (i << 21)) | 0x83;
    __asm__ volatile("invlpg (%0)" : : "r"(cr2) : "memory");
    page_faults++;                                                           /* returning resumes the access */
}

static void timer(struct frame *f) {
    (void) f;
    ticks++;
    wrmsr(0x80B, 0);                      /* x2APIC EOI */
}

#define TIMER_HZ 100

/* The local APIC timer, periodic, in x2APIC mode (jvmx's APIC timer clock runs at 1 GHz). */
static void apic_timer_init(void) {
    wrmsr(0x1B, rdmsr(0x1B) | (1 << 11) | (1 << 10));   /* IA32_APIC_BASE: enable, x2APIC */
    wrmsr(0x80F, 0x1FF);                                 /* spurious vector, software enable */
    wrmsr(0x83E, 0xB);                                   /* divide by 1 */
    wrmsr(0x832, 0x20 | (1 << 17));                      /* LVT timer: vector 0x20, periodic */
    wrmsr(0x838, 1000000000 / TIMER_HZ);                 /* initial count */
}

/* ---- the picture */

static void mandelbrot(void) {
    const char *shade = " .:-=+*#%@";
    for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 72; x++) {
            double cr = -2.2 + x * (3.2 / 72), ci = -1.2 + y * (2.4 / 24);
            double zr = 0, zi = 0;
            int n = 0;
            while (n < 200 && zr * zr + zi * zi < 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                n++;
            }
            putc(n == 200 ? '@' : shade[n % 9]);
        }
        puts("\n");
    }
}

void kmain(void) {
    puts("jvmx demo kernel: running in 64-bit mode\n");
    set_handler(14, page_fault);
    set_handler(0x20, timer);
    paging_init();
    puts("IDT and page tables installed\n");

    volatile uint64_t *p = (volatile uint64_t *) DEMAND_BASE;
    p[0] = 0x1234;                                                           /* faults, mapped, resumed */
    p[(2 << 20) / 8] = p[0] + 1;                                             /* the next 2 MiB page */
    printf("page faults handled: %u (value read back %x)\n", page_faults, p[(2 << 20) / 8]);

    static const char hello[] = "hello from the guest, printed by the monitor through a hypercall\n";
    hypercall(HC_PRINT, (uint64_t) hello, strlen(hello));

    apic_timer_init();
    __asm__ volatile("sti");
    while (ticks < 10) __asm__ volatile("hlt");
    __asm__ volatile("cli");
    wrmsr(0x832, 1 << 16);                               /* mask the timer */
    printf("timer: %u local APIC timer interrupts at %u Hz\n", ticks, (uint64_t) TIMER_HZ);

    mandelbrot();
    puts("done\n");
    exit_guest(0);                                                           /* status (0 << 1) | 1 */
}

/*
 * jvmx demo kernel (64-bit, freestanding). Shows a guest doing what kernels do under a
 * hypervisor: serial console on the 16550A at COM1, its own IDT and page tables, a page fault
 * it handles and resumes from, timer interrupts from the 8254 PIT through the 8259 PIC,
 * hypercalls to the monitor (VMCALL), a floating-point computation a person can look at
 * (an ASCII Mandelbrot set), and the exit through the debug-exit port.
 */
#include <stdint.h>

struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

extern char stubs[];

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* ---- serial console (16550A, COM1) */

#define COM1 0x3F8

static void serial_init(void) {
    outb(COM1 + 1, 0x00);      /* no UART interrupts */
    outb(COM1 + 3, 0x80);      /* DLAB */
    outb(COM1 + 0, 0x01);      /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);      /* 8N1 */
    outb(COM1 + 2, 0xC7);      /* FIFOs on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x03);      /* DTR, RTS */
}

static void putc(char c) {
    while (!(inb(COM1 + 5) & 0x20)) { }
    outb(COM1, (uint8_t) c);
}

static void puts(const char *s) {
    for (; *s; s++) {
        if (*s == '\n') putc('\r');
        putc(*s);
    }
}

static void putu(uint64_t v) {
    char b[21];
    int n = 0;
    do { b[n++] = (char) ('0' + v % 10); v /= 10; } while (v);
    while (n) putc(b[--n]);
}

static void puthex(uint64_t v) {
    puts("0x");
    for (int s = 60; s >= 0; s -= 4) putc("0123456789abcdef"[(v >> s) & 15]);
}

/* ---- hypercalls: VMCALL with the number in RAX (see the monitor's Hypercalls class) */

#define HC_PRINT 1

static uint64_t hypercall(uint64_t nr, uint64_t a, uint64_t b) {
    uint64_t r;
    __asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
    return r;
}

static uint64_t strlen(const char *s) { uint64_t n = 0; while (s[n]) n++; return n; }

/* ---- interrupts */

struct gate { uint16_t off0, sel; uint8_t ist, type; uint16_t off1; uint32_t off2, zero; } __attribute__((packed));
static struct gate idt[256] __attribute__((aligned(16)));

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

static void panic(struct frame *f) {
    puts("\nunexpected exception ");
    putu(f->vector);
    puts(" error ");
    puthex(f->error);
    puts(" at ");
    puthex(f->rip);
    puts("\n");
    outb(0xF4, 0x7F);
    for (;;) __asm__ volatile("cli; hlt");
}

void trap(struct frame *f) {
    if (f->vector == 14) {
        uint64_t cr2;
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        uint64_t i = (cr2 - DEMAND_BASE) >> 21;
        if (cr2 >= DEMAND_BASE && i < 2 && !(pd_demand[i] & 1)) {
            pd_demand[i] = (DEMAND_FRAMES + (i << 21)) | 0x83;
            __asm__ volatile("invlpg (%0)" : : "r"(cr2) : "memory");
            page_faults++;
            return;                                                          /* resume the access */
        }
        panic(f);
    }
    if (f->vector == 0x20) {                                                 /* IRQ 0: PIT */
        ticks++;
        outb(0x20, 0x20);                                                    /* EOI */
        return;
    }
    if (f->vector >= 0x21 && f->vector < 0x30) {
        if (f->vector >= 0x28) outb(0xA0, 0x20);
        outb(0x20, 0x20);
        return;
    }
    panic(f);
}

static void idt_init(void) {
    for (int v = 0; v < 256; v++) {
        uint64_t a = (uint64_t) (stubs + 16 * v);
        idt[v] = (struct gate) {(uint16_t) a, 0x08, 0, 0x8E, (uint16_t) (a >> 16), (uint32_t) (a >> 32), 0};
    }
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t) idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void pic_init(void) {
    outb(0x20, 0x11); outb(0xA0, 0x11);   /* ICW1: edge, cascade, ICW4 */
    outb(0x21, 0x20); outb(0xA1, 0x28);   /* ICW2: vectors 0x20, 0x28 */
    outb(0x21, 0x04); outb(0xA1, 0x02);   /* ICW3: slave on IRQ 2 */
    outb(0x21, 0x01); outb(0xA1, 0x01);   /* ICW4: 8086 mode */
    outb(0x21, 0xFE); outb(0xA1, 0xFF);   /* only IRQ 0 */
}

#define PIT_HZ 100

static void pit_init(void) {
    uint16_t div = 1193182 / PIT_HZ;
    outb(0x43, 0x34);                     /* channel 0, lo/hi, mode 2 (rate generator) */
    outb(0x40, (uint8_t) div);
    outb(0x40, (uint8_t) (div >> 8));
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
    serial_init();
    puts("jvmx demo kernel: running in 64-bit mode\n");
    idt_init();
    paging_init();
    puts("IDT and page tables installed\n");

    volatile uint64_t *p = (volatile uint64_t *) DEMAND_BASE;
    p[0] = 0x1234;                                                           /* faults, mapped, resumed */
    p[(2 << 20) / 8] = p[0] + 1;                                             /* the next 2 MiB page */
    puts("page faults handled: ");
    putu(page_faults);
    puts(" (value read back ");
    puthex(p[(2 << 20) / 8]);
    puts(")\n");

    static const char hello[] = "hello from the guest, printed by the monitor through a hypercall\n";
    hypercall(HC_PRINT, (uint64_t) hello, strlen(hello));

    pic_init();
    pit_init();
    __asm__ volatile("sti");
    while (ticks < 10) __asm__ volatile("hlt");
    __asm__ volatile("cli");
    puts("timer: ");
    putu(ticks);
    puts(" PIT interrupts at " "100" " Hz\n");

    mandelbrot();
    puts("done\n");
    outb(0xF4, 0x00);                                                        /* exit status (0 << 1) | 1 */
}

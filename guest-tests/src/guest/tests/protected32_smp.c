/*
 * An SMP kernel (32-bit protected mode): the bootstrap processor starts the application
 * processors with the MP start-up algorithm (SDM Vol. 3A 9.4.4, 11.6): it copies a 16-bit
 * trampoline below 1 MiB and sends INIT, SIPI, SIPI to each AP by APIC ID through the ICR,
 * waiting for the delivery status to clear and the start-up delays. Each AP starts in real mode
 * at the SIPI vector (CS = 0x0800, IP = 0), loads the kernel's GDT, sets CR0.PE, far-jumps into
 * 32-bit code, takes its own stack by APIC ID, turns on paging if its ID is odd (the BSP's
 * identity page directory; even ones stay with paging off and still take interrupts), prints "AP <id> up" under a spinlock, counts itself with LOCK XADD and halts with interrupts on. The BSP waits for all, prints the APIC IDs
 * sorted, then twice does a TLB-shootdown-style round: it writes a value, sends a fixed IPI to
 * all excluding self, and waits until every AP has acknowledged having seen that value.
 * The number of processors comes from the command line ("cpus=N").
 */
#include "kernel32.h"

#define LAPIC 0xFEE00000u
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_ALL_EXCLUDING_SELF (3u << 18)
#define TRAMPOLINE 0x8000u          /* SIPI vector 0x08: the page the APs start in */
#define MAX_CPUS 16
#define SHOOTDOWN_VECTOR 0x50

/*
 * The AP trampoline, copied to TRAMPOLINE. Real mode first (CS = 0x0800, so DS = CS addresses
 * the copy), then 32-bit protected mode; everything after the copy is position-independent or
 * absolute (the far jump's target is computed for the copy's address).
 */
__asm__(
    "    .section .text\n"
    "    .globl trampoline_start, trampoline_end\n"
    "    .code16\n"
    "trampoline_start:\n"
    "    cli\n"
    "    cld\n"
    "    mov %cs, %ax\n"
    "    mov %ax, %ds\n"
    "    lgdtl (trampoline_gdtr - trampoline_start)\n"
    "    mov %cr0, %eax\n"
    "    or $1, %eax\n"
    "    mov %eax, %cr0\n"
    "    ljmpl $0x08, $(0x8000 + trampoline_pm - trampoline_start)\n"
    "    .code32\n"
    "trampoline_pm:\n"
    "    mov $0x10, %ax\n"
    "    mov %ax, %ds\n"
    "    mov %ax, %es\n"
    "    mov %ax, %fs\n"
    "    mov %ax, %gs\n"
    "    mov %ax, %ss\n"
    "    mov 0xFEE00020, %ebx\n"          /* the local APIC ID register: ID in bits 31:24 */
    "    shr $24, %ebx\n"
    "    lea 1(%ebx), %eax\n"
    "    shl $12, %eax\n"
    "    add $ap_stacks, %eax\n"          /* a 4 KiB stack per APIC ID */
    "    mov %eax, %esp\n"
    "    push %ebx\n"
    "    mov $ap_main, %eax\n"
    "    call *%eax\n"
    "1:  cli\n"
    "    hlt\n"
    "    jmp 1b\n"
    "    .p2align 2\n"
    "trampoline_gdtr:\n"
    "    .word 6 * 8 - 1\n"               /* lib32's GDT: null, code, data, user code, user data, TSS */
    "    .long gdt\n"
    "trampoline_end:\n"
    "    .code32\n");

extern const char trampoline_start[], trampoline_end[];
extern uint32_t multiboot_info;     /* lib32/start32.S: EBX at entry */
uint8_t ap_stacks[MAX_CPUS * 4096] __attribute__((aligned(4096)));

/* 32-bit paging with 4 MiB pages mapping the 4 GiB identically: every processor turns it on. */
static uint32_t pd[1024] __attribute__((aligned(4096)));
static volatile uint32_t print_lock;
static volatile uint32_t up_count;          /* APs up, counted with LOCK XADD */
static volatile uint32_t slots;             /* next free place in up_ids */
static volatile uint32_t up_ids[MAX_CPUS];
static volatile uint32_t shootdown_value;
static volatile uint32_t shootdown_acks;
static volatile uint32_t seen[MAX_CPUS];

static inline uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *) (LAPIC + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *) (LAPIC + reg) = v; }
static inline void pause(void) { __asm__ volatile("pause"); }

static void lock(volatile uint32_t *l) {
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {   /* XCHG */
        while (*l) pause();
    }
}

static void unlock(volatile uint32_t *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* About a microsecond per 1000 TSC cycles (jvmx's TSC runs at about 1 GHz); only a lower bound matters. */
static void delay_us(uint32_t us) {
    uint64_t end = rdtsc() + (uint64_t) us * 1000;
    while (rdtsc() < end) pause();
}

static void send_ipi(uint32_t apic_id, uint32_t low) {
    lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, low);
    while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING) pause();
}

static void shootdown(struct frame *f) {
    (void) f;
    uint32_t id = lapic_read(LAPIC_ID) >> 24;
    seen[id] = shootdown_value;
    __atomic_fetch_add(&shootdown_acks, 1, __ATOMIC_SEQ_CST);
    lapic_write(LAPIC_EOI, 0);
}

/* CR4.PSE, CR3 = pd, CR0.PG: interrupts then go through the IDT's 8-byte gates in legacy protected mode. */
static void paging_on(void) {
    write_cr4(read_cr4() | 0x10);
    write_cr3((uint32_t) pd);
    write_cr0(read_cr0() | 0x80000000u);
}

void ap_main(uint32_t id) {
    if (id & 1) paging_on();                /* odd APs page; even ones take their IPIs with paging off */
    idt_load();
    lapic_write(LAPIC_SVR, 0x1FF);          /* software-enable, spurious vector 0xFF */
    lapic_write(LAPIC_TPR, 0);
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    lock(&print_lock);
    if (b >> 24 != id) printf("AP %u: CPUID initial APIC ID %u\n", id, b >> 24);
    printf("AP %u up\n", id);
    unlock(&print_lock);
    up_ids[__atomic_fetch_add(&slots, 1, __ATOMIC_SEQ_CST)] = id;
    __atomic_fetch_add(&up_count, 1, __ATOMIC_SEQ_CST);  /* LOCK XADD */
    for (;;) __asm__ volatile("sti; hlt");
}

static uint32_t cpus_from_cmdline(void) {
    uint32_t *info = (uint32_t *) multiboot_info;
    if (!(info[0] & 4)) return 1;
    const char *c = (const char *) info[4];
    for (; *c; c++) {
        if (c[0] == 'c' && c[1] == 'p' && c[2] == 'u' && c[3] == 's' && c[4] == '=') {
            uint32_t n = 0;
            for (c += 5; *c >= '0' && *c <= '9'; c++) n = n * 10 + (uint32_t) (*c - '0');
            return n;
        }
    }
    return 1;
}

static void shootdown_round(uint32_t ncpus, uint32_t value) {
    shootdown_acks = 0;
    shootdown_value = value;
    send_ipi(0, ICR_ALL_EXCLUDING_SELF | SHOOTDOWN_VECTOR);
    while (shootdown_acks < ncpus - 1) pause();
    uint32_t good = 0;
    for (uint32_t i = 0; i < ncpus - 1; i++) good += seen[up_ids[i]] == value;
    lock(&print_lock);
    printf("shootdown %x: %u acks, %u APs saw the value\n", value, shootdown_acks, good);
    unlock(&print_lock);
}

void kmain(void) {
    uint32_t ncpus = cpus_from_cmdline();
    if (ncpus < 1 || ncpus > MAX_CPUS) {
        printf("bad cpus=%u\n", ncpus);
        exit_guest(2);
    }
    for (uint32_t i = 0; i < 1024; i++) pd[i] = i << 22 | 0x83;     /* present, writable, 4 MiB */
    paging_on();
    lapic_write(LAPIC_SVR, 0x1FF);
    uint32_t bsp = lapic_read(LAPIC_ID) >> 24;
    lock(&print_lock);
    printf("BSP %u starting %u APs\n", bsp, ncpus - 1);
    unlock(&print_lock);
    set_handler(SHOOTDOWN_VECTOR, shootdown);
    memcpy((void *) TRAMPOLINE, trampoline_start, (uint32_t) (trampoline_end - trampoline_start));
    for (uint32_t id = 0; id < ncpus; id++) {
        if (id == bsp) continue;
        send_ipi(id, ICR_INIT | ICR_ASSERT);
        delay_us(10000);
        send_ipi(id, ICR_STARTUP | (TRAMPOLINE >> 12));
        delay_us(200);
        send_ipi(id, ICR_STARTUP | (TRAMPOLINE >> 12));
    }
    while (up_count < ncpus - 1) pause();
    uint32_t ids[MAX_CPUS];
    for (uint32_t i = 0; i < ncpus - 1; i++) ids[i] = up_ids[i];
    for (uint32_t i = 1; i < ncpus - 1; i++) {           /* insertion sort */
        uint32_t v = ids[i], j = i;
        for (; j > 0 && ids[j - 1] > v; j--) ids[j] = ids[j - 1];
        ids[j] = v;
    }
    lock(&print_lock);
    printf("%u APs up:", up_count);
    for (uint32_t i = 0; i < ncpus - 1; i++) printf(" %u", ids[i]);
    printf("\n");
    unlock(&print_lock);
    if (ncpus > 1) {
        shootdown_round(ncpus, 0x5A5A0001);
        shootdown_round(ncpus, 0x5A5A0002);
    }
}

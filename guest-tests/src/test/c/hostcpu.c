/*
 * hostcpu: runs x86-64 snippets natively on the host CPU, the oracle of the differential tests
 * (DESIGN.md, "The host CPU is the oracle"). Built by HostCpu.java with gcc at test time.
 *
 *   hostcpu IN OUT      (either may be "-" for stdin / stdout)
 *
 * Fixed addresses, so that the same state means the same thing in jvmx:
 *   scratch  0x10000000, SIZE bytes from the batch header (data part, then the stack part)
 *   code     0x20000000, 64 KiB, RWX; the snippet is copied to its start, followed by
 *            "jmp [rip+0]; .quad hc_exit" (the jump back, never part of what jvmx runs);
 *            every other byte of the page is 0xcc (int3)
 *   control  0x30000000, one page: the in/out states the entry and exit stubs use through
 *            absolute disp32 addresses (no register is free at either end of a snippet)
 *
 * Input (little-endian):  "JVMXHC01" u32 scratchSize u32 count, then per case:
 *   STATE (see below) u8[scratchSize] scratch  u32 codeLen  u8[codeLen] code
 * Output: "JVMXHR01" u32 scratchSize u32 count, then per case:
 *   u32 status (0 = ran to the end, else the signal number)  u32 0
 *   u64 rip (end of code when status 0, else the RIP the signal reported)
 *   u64 faultAddr (si_addr, 0 when status 0)
 *   STATE (final, or at the fault)  u8[scratchSize] scratch
 * STATE = u64 gpr[16] (rax rcx rdx rbx rsp rbp rsi rdi r8..r15)  u64 rflags
 *         u32 mxcsr  u32 0  u8 xmm[16][16]                       = 400 bytes
 *
 * Only CF PF AF ZF SF OF and DF of the input RFLAGS are loaded (IF and bit 1 are set as
 * always in user mode; TF and AC stay clear). MXCSR is loaded masked to 0xffff. x87 state is
 * reset before each case: the eight registers zeroed (FLDZ pushed eight times and popped again, as
 * a fresh vCPU has them: FNINIT alone would leave the previous case's values, which MMX
 * instructions and FXSAVE show), then FNINIT. A snippet that loops for over ~0.2 s is stopped and
 * reported as SIGALRM. A snippet that makes system calls is not contained: don't generate them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#define SCRATCH_BASE 0x10000000UL
#define SCRATCH_MAX  (16UL << 20)
#define CODE_BASE    0x20000000UL
#define CODE_SIZE    0x10000UL
#define CTRL_BASE    0x30000000UL
#define TRAILER_LEN  14
#define ARITH_DF     0xCD5UL   /* CF PF AF ZF SF OF | DF */

typedef struct {
    uint64_t gpr[16];
    uint64_t rflags;
    uint32_t mxcsr, pad;
    uint8_t xmm[16][16];
} state_t;                     /* 400 bytes; the stubs below hard-code its offsets */

typedef struct {
    state_t in;                /* 0x000 */
    uint8_t pad0[0x200 - sizeof(state_t)];
    state_t out;               /* 0x200 */
    uint8_t pad1[0x400 - 0x200 - sizeof(state_t)];
    uint64_t host_rsp;         /* 0x400 */
    uint64_t host_mxcsr;       /* 0x408 */
    uint64_t entry;            /* 0x410 */
} ctrl_t;

_Static_assert(sizeof(state_t) == 400, "state layout");
_Static_assert(__builtin_offsetof(state_t, xmm) == 0x90, "state layout");
_Static_assert(__builtin_offsetof(ctrl_t, out) == 0x200, "ctrl layout");
_Static_assert(__builtin_offsetof(ctrl_t, host_rsp) == 0x400, "ctrl layout");

void hc_enter(void);
void hc_exit(void);

/* Entry: save the C callee-saved registers and MXCSR, load XMM, MXCSR, RFLAGS (through the
 * host stack, before leaving it; MOV changes no flag), then the GPRs, RSP and RAX last, all
 * through absolute disp32 addresses, and jump into the code page through the control page. */
__asm__(
    ".text\n.globl hc_enter\n.type hc_enter,@function\nhc_enter:\n"
    " push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    " mov %rsp, 0x30000400\n"
    " stmxcsr 0x30000408\n"
    " fninit\n fldz\n fldz\n fldz\n fldz\n fldz\n fldz\n fldz\n fldz\n"
    " fstp %st(0)\n fstp %st(0)\n fstp %st(0)\n fstp %st(0)\n fstp %st(0)\n fstp %st(0)\n fstp %st(0)\n fstp %st(0)\n"
    " fninit\n"
    " movdqu 0x30000090, %xmm0\n movdqu 0x300000a0, %xmm1\n movdqu 0x300000b0, %xmm2\n movdqu 0x300000c0, %xmm3\n"
    " movdqu 0x300000d0, %xmm4\n movdqu 0x300000e0, %xmm5\n movdqu 0x300000f0, %xmm6\n movdqu 0x30000100, %xmm7\n"
    " movdqu 0x30000110, %xmm8\n movdqu 0x30000120, %xmm9\n movdqu 0x30000130, %xmm10\n movdqu 0x30000140, %xmm11\n"
    " movdqu 0x30000150, %xmm12\n movdqu 0x30000160, %xmm13\n movdqu 0x30000170, %xmm14\n movdqu 0x30000180, %xmm15\n"
    " ldmxcsr 0x30000088\n"
    " mov 0x30000080, %rax\n and $0xcd5, %rax\n or $0x202, %rax\n push %rax\n popfq\n"
    " mov 0x30000008, %rcx\n mov 0x30000010, %rdx\n mov 0x30000018, %rbx\n"
    " mov 0x30000028, %rbp\n mov 0x30000030, %rsi\n mov 0x30000038, %rdi\n"
    " mov 0x30000040, %r8\n mov 0x30000048, %r9\n mov 0x30000050, %r10\n mov 0x30000058, %r11\n"
    " mov 0x30000060, %r12\n mov 0x30000068, %r13\n mov 0x30000070, %r14\n mov 0x30000078, %r15\n"
    " mov 0x30000020, %rsp\n mov 0x30000000, %rax\n"
    " jmp *0x30000410\n"
    ".size hc_enter, .-hc_enter\n"
    /* Exit: reached by the trailer's jmp with the snippet's state intact. */
    ".globl hc_exit\n.type hc_exit,@function\nhc_exit:\n"
    " mov %rax, 0x30000200\n mov %rcx, 0x30000208\n mov %rdx, 0x30000210\n mov %rbx, 0x30000218\n"
    " mov %rsp, 0x30000220\n mov %rbp, 0x30000228\n mov %rsi, 0x30000230\n mov %rdi, 0x30000238\n"
    " mov %r8, 0x30000240\n mov %r9, 0x30000248\n mov %r10, 0x30000250\n mov %r11, 0x30000258\n"
    " mov %r12, 0x30000260\n mov %r13, 0x30000268\n mov %r14, 0x30000270\n mov %r15, 0x30000278\n"
    " mov 0x30000400, %rsp\n"
    " pushfq\n pop %rax\n mov %rax, 0x30000280\n"
    " push $0x202\n popfq\n"                     /* no AC, TF or DF left for the C code */
    " stmxcsr 0x30000288\n"
    " movdqu %xmm0, 0x30000290\n movdqu %xmm1, 0x300002a0\n movdqu %xmm2, 0x300002b0\n movdqu %xmm3, 0x300002c0\n"
    " movdqu %xmm4, 0x300002d0\n movdqu %xmm5, 0x300002e0\n movdqu %xmm6, 0x300002f0\n movdqu %xmm7, 0x30000300\n"
    " movdqu %xmm8, 0x30000310\n movdqu %xmm9, 0x30000320\n movdqu %xmm10, 0x30000330\n movdqu %xmm11, 0x30000340\n"
    " movdqu %xmm12, 0x30000350\n movdqu %xmm13, 0x30000360\n movdqu %xmm14, 0x30000370\n movdqu %xmm15, 0x30000380\n"
    " ldmxcsr 0x30000408\n fninit\n cld\n"
    " pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    " ret\n"
    ".size hc_exit, .-hc_exit\n");

static ctrl_t *const ctrl = (ctrl_t *)CTRL_BASE;
static sigjmp_buf jb;
static volatile sig_atomic_t armed;
static volatile uint64_t serial, tick_serial;
static state_t fault_state;
static uint64_t fault_rip, fault_addr;

static void die(const char *what) {
    fprintf(stderr, "hostcpu: %s: %s\n", what, errno ? strerror(errno) : "bad input");
    exit(2);
}

static void on_signal(int sig, siginfo_t *si, void *uctx) {
    ucontext_t *uc = uctx;
    greg_t *g = uc->uc_mcontext.gregs;
    uint64_t rip = (uint64_t)g[REG_RIP];
    if (sig == SIGALRM) {
        /* a periodic tick: stop a snippet seen running at two ticks in a row */
        int in_code = rip >= CODE_BASE && rip < CODE_BASE + CODE_SIZE;
        if (!armed || !in_code || serial != tick_serial) { tick_serial = serial; return; }
    } else if (!armed) {
        signal(sig, SIG_DFL);   /* a bug in the harness itself: die of it */
        return;
    }
    static const int map[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                 REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };
    for (int i = 0; i < 16; i++) fault_state.gpr[i] = (uint64_t)g[map[i]];
    fault_state.rflags = (uint64_t)g[REG_EFL];
    fault_state.pad = 0;
    if (uc->uc_mcontext.fpregs) {
        fault_state.mxcsr = uc->uc_mcontext.fpregs->mxcsr;
        memcpy(fault_state.xmm, uc->uc_mcontext.fpregs->_xmm, sizeof fault_state.xmm);
    } else {
        fault_state.mxcsr = 0;
        memset(fault_state.xmm, 0, sizeof fault_state.xmm);
    }
    fault_rip = rip;
    fault_addr = (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) ? (uint64_t)si->si_addr : 0;
    armed = 0;
    siglongjmp(jb, sig);
}

static void readn(FILE *f, void *p, size_t n) {
    if (fread(p, 1, n, f) != n) { errno = 0; die("short input"); }
}

static void writen(FILE *f, const void *p, size_t n) {
    if (fwrite(p, 1, n, f) != n) die("write");
}

static FILE *in, *out;      /* static: main's locals would not survive siglongjmp reliably */

static FILE *open_arg(const char *path, int w) {
    if (strcmp(path, "-") == 0) return w ? stdout : stdin;
    FILE *f = fopen(path, w ? "wb" : "rb");
    if (!f) die(path);
    return f;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: hostcpu IN OUT  (- for stdin/stdout)\n"); return 2; }
    in = open_arg(argv[1], 0);
    out = open_arg(argv[2], 1);
    static char ibuf[1 << 16], obuf[1 << 16];
    setvbuf(in, ibuf, _IOFBF, sizeof ibuf);
    setvbuf(out, obuf, _IOFBF, sizeof obuf);

    char magic[8];
    uint32_t hdr[2];
    readn(in, magic, 8);
    readn(in, hdr, 8);
    if (memcmp(magic, "JVMXHC01", 8) != 0) { errno = 0; die("not a JVMXHC01 case file"); }
    uint32_t scratch_size = hdr[0], count = hdr[1];
    if (scratch_size == 0 || scratch_size % 4096 || scratch_size > SCRATCH_MAX) { errno = 0; die("scratch size"); }

    if (mmap((void *)SCRATCH_BASE, scratch_size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)SCRATCH_BASE) die("mmap scratch at 0x10000000");
    if (mmap((void *)CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)CODE_BASE) die("mmap code at 0x20000000");
    if (mmap((void *)CTRL_BASE, 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)CTRL_BASE) die("mmap control page at 0x30000000");
    ctrl->entry = CODE_BASE;
    /* int3 everywhere the snippet's bytes and trailer are not: running off the end (or a jump
     * past it) is a SIGTRAP, the same in every case whatever ran before */
    memset((void *)CODE_BASE, 0xcc, CODE_SIZE);

    /* the snippet's RSP is anything: signals must be taken on a stack of our own */
    stack_t ss = { .ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0 };
    if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0) die("sigaltstack");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0) die("sigaction");
    struct itimerval tick = { { 0, 100000 }, { 0, 100000 } };
    if (setitimer(ITIMER_REAL, &tick, NULL) != 0) die("setitimer");

    uint32_t ohdr[2] = { scratch_size, count };
    writen(out, "JVMXHR01", 8);
    writen(out, ohdr, 8);
    uint8_t *scratch = (uint8_t *)SCRATCH_BASE, *code = (uint8_t *)CODE_BASE;
    uint64_t exit_addr = (uint64_t)(uintptr_t)&hc_exit;

    for (uint32_t c = 0; c < count; c++) {
        uint32_t len;
        readn(in, &ctrl->in, sizeof(state_t));
        ctrl->in.mxcsr &= 0xffff;
        readn(in, scratch, scratch_size);
        readn(in, &len, 4);
        if (len > CODE_SIZE - TRAILER_LEN) { errno = 0; die("code too long"); }
        readn(in, code, len);
        static const uint8_t jmp_rip0[6] = { 0xff, 0x25, 0, 0, 0, 0 };
        memcpy(code + len, jmp_rip0, 6);
        memcpy(code + len + 6, &exit_addr, 8);

        uint32_t status[2] = { 0, 0 };
        uint64_t rip_addr[2];
        const state_t *result;
        serial++;
        int sig = sigsetjmp(jb, 1);
        if (sig == 0) {
            armed = 1;
            hc_enter();
            armed = 0;
            rip_addr[0] = CODE_BASE + len;
            rip_addr[1] = 0;
            result = &ctrl->out;
        } else {
            /* back from a signal: the handler ran with a fresh FP state; make ours the C one */
            uint32_t m = (uint32_t)ctrl->host_mxcsr;
            __asm__ volatile("ldmxcsr %0\n fninit\n push $0x202\n popfq" : : "m"(m) : "cc", "memory");
            status[0] = (uint32_t)sig;
            rip_addr[0] = fault_rip;
            rip_addr[1] = fault_addr;
            result = &fault_state;
        }
        writen(out, status, 8);
        writen(out, rip_addr, 16);
        writen(out, result, sizeof(state_t));
        writen(out, scratch, scratch_size);
        memset(code, 0xcc, len + TRAILER_LEN);
    }
    if (fflush(out) != 0) die("write");
    return 0;
}

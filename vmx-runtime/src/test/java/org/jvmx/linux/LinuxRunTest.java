package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmx.translator.exec.Engine;
import org.junit.jupiter.api.Test;

/** Static programs (glibc, -static and -static-pie) run under jvmx, compared with native runs of the same binary. */
class LinuxRunTest {
    static final String SYS = """
            #define _GNU_SOURCE
            #include <stddef.h>
            static long sys3(long n, long a, long b, long c) {
                long r;
                __asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
                return r;
            }
            static long sys6(long n, long a, long b, long c, long d, long e, long f) {
                long r;
                register long r10 __asm__("r10") = d;
                register long r8 __asm__("r8") = e;
                register long r9 __asm__("r9") = f;
                __asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                                  : "rcx", "r11", "memory");
                return r;
            }
            static size_t len(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
            static void out(const char *s) { sys3(1, 1, (long) s, len(s)); }
            static void num(long v) {
                char b[24]; int i = 23; b[i] = 0; int neg = v < 0; unsigned long u = neg ? -(unsigned long) v : v;
                do { b[--i] = '0' + u % 10; u /= 10; } while (u);
                if (neg) b[--i] = '-';
                out(b + i);
            }
            """;

    static final String HELLO = SYS + """
            int main(void) { out("hello, world\\n"); return 7; }
            """;

    static final String ARGS = SYS + """
            #include <elf.h>
            int main(int argc, char **argv, char **envp) {
                out("argc="); num(argc); out("\\n");
                for (int i = 0; i < argc; i++) { out("argv["); num(i); out("]="); out(argv[i]); out("\\n"); }
                char **e = envp;
                for (; *e; e++) { out("env="); out(*e); out("\\n"); }
                Elf64_auxv_t *a = (Elf64_auxv_t *) (e + 1);
                out("argv aligned="); num(((long) (argv - 1) & 15) == 0); out("\\n");
                for (; a->a_type != AT_NULL; a++) {
                    switch (a->a_type) {
                    case AT_PAGESZ: out("AT_PAGESZ="); num(a->a_un.a_val); out("\\n"); break;
                    case AT_CLKTCK: out("AT_CLKTCK="); num(a->a_un.a_val); out("\\n"); break;
                    case AT_SECURE: out("AT_SECURE="); num(a->a_un.a_val); out("\\n"); break;
                    case AT_PHENT: out("AT_PHENT="); num(a->a_un.a_val); out("\\n"); break;
                    case AT_PLATFORM: out("AT_PLATFORM="); out((char *) a->a_un.a_val); out("\\n"); break;
                    case AT_EXECFN: out("AT_EXECFN="); out((char *) a->a_un.a_val); out("\\n"); break;
                    case AT_UID: out("AT_UID="); num(a->a_un.a_val); out("\\n"); break;
                    case AT_GID: out("AT_GID="); num(a->a_un.a_val); out("\\n"); break;
                    case AT_PHDR: out("AT_PHDR is ELF phdr="); num(((Elf64_Phdr *) a->a_un.a_val)->p_type == PT_PHDR
                                   || ((Elf64_Phdr *) a->a_un.a_val)->p_type == PT_LOAD); out("\\n"); break;
                    case AT_RANDOM: out("AT_RANDOM present\\n"); break;
                    }
                }
                return argc;
            }
            """;

    static final String SEGV = SYS + """
            int main(void) { out("before\\n"); *(volatile int *) 16 = 1; out("after\\n"); return 0; }
            """;

    static Path build(String name, String src, String flag) {
        return GuestPrograms.build(name, src, flag);
    }

    static void same(Path exe, List<String> argv, List<String> env) {
        GuestPrograms.Outcome n = GuestPrograms.runNative(exe, argv, env);
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, argv, env);
        assertEquals(n.stdout(), j.stdout(), "stdout of " + exe);
        assertEquals(n.status(), j.status(), "status of " + exe + "; jvmx stderr: " + j.stderr());
    }

    @Test
    void helloStatic() {
        Path exe = build("hello", HELLO, "-static");
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("hello"), List.of());
        assertEquals("hello, world\n", j.stdout(), j.stderr());
        assertEquals(7, j.status());
    }

    @Test
    void helloStaticPie() {
        Path exe = build("hello", HELLO, "-static-pie");
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("hello"), List.of());
        assertEquals("hello, world\n", j.stdout(), j.stderr());
        assertEquals(7, j.status());
    }

    @Test
    void argsEnvAuxvLikeNative() {
        for (String flag : List.of("-static", "-static-pie")) {
            Path exe = build("args", ARGS, flag);
            same(exe, List.of(exe.toString(), "one", "two words", "", "--", "é"), List.of("A=1", "PATH=/usr/bin", "EMPTY="));
            same(exe, List.of("prog"), List.of());
        }
    }

    static final String RESUME = SYS + """
            int main(void) {
                volatile long *p = (long *) 0x50000000;
                *p = 42;
                num(*p); out("\\n");
                return 0;
            }
            """;

    @Test
    void faultSinkThatHandlesTheFaultResumesTheInstruction() {
        Path exe = build("resume", RESUME, "-static");
        List<FaultSink.Fault> seen = new ArrayList<>();
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("resume"), List.of(), Engine.Tier.MIXED,
                p -> p.setFaultSink(f -> {
                    seen.add(f);
                    p.memoryCalls().mmap(f.address() & -4096, 4096, 3, 0x32, -1, 0); // MAP_PRIVATE|ANONYMOUS|FIXED
                    return true;
                }));
        assertEquals("42\n", j.stdout(), j.stderr());
        assertEquals(0, j.status());
        assertEquals(1, seen.size());
        assertEquals(new FaultSink.Fault(11, 1, 0x50000000L, 14, 6, seen.get(0).rip()), seen.get(0));
    }

    @Test
    void everyTierGivesTheSameResult() {
        Path exe = build("args", ARGS, "-static-pie");
        List<String> argv = List.of("args", "x", "y");
        GuestPrograms.Outcome n = GuestPrograms.runNative(exe, argv, List.of("K=V"));
        for (Engine.Tier tier : Engine.Tier.values()) {
            GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, argv, List.of("K=V"), tier, p -> { });
            assertEquals(n.stdout(), j.stdout(), tier + ": " + j.stderr());
            assertEquals(n.status(), j.status(), tier + ": " + j.stderr());
        }
    }

    static final String RCX_R11 = SYS + """
            int main(void) {
                long rcx, r11, label, ret;
                __asm__ volatile ("lea 1f(%%rip), %3\\n\\t"
                                  "std\\n\\t"
                                  "mov $1, %%r11\\n\\t"
                                  "sub $2, %%r11\\n\\t"
                                  "syscall\\n"
                                  "1:\\tcld"
                                  : "=a"(ret), "=c"(rcx), "=r"(r11), "=&r"(label) : "a"(12L), "D"(0L) : "r11", "memory");
                __asm__ volatile ("mov %%r11, %0" : "=r"(r11));
                out("rcx is return address: "); num(rcx == label); out("\\n");
                out("r11: "); num(r11); out("\\n");
                return 0;
            }
            """;

    @Test
    void syscallClobbersRcxAndR11AsLinuxDoes() {
        Path exe = build("rcxr11", RCX_R11, "-static");
        same(exe, List.of("rcxr11"), List.of());
    }

    @Test
    void straceLines() {
        Path exe = build("hello", HELLO, "-static");
        java.io.StringWriter trace = new java.io.StringWriter();
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("hello"), List.of(), Engine.Tier.MIXED,
                p -> p.setStrace(new java.io.PrintWriter(trace, true)));
        assertEquals(7, j.status());
        String t = trace.toString();
        assertTrue(t.contains("write(1, \"hello, world\\n\", 13) = 13\n"), t);
        assertTrue(t.contains("exit_group(7) = ?\n+++ exited with 7 +++\n"), t);
        assertTrue(t.matches("(?s).*brk\\(NULL\\) = 0x[0-9a-f]+\n.*"), t);
        assertTrue(t.contains(" = -1 ENOSYS (Function not implemented)\n"), t);
    }

    static final String ARCH_PRCTL = SYS + """
            #include <asm/prctl.h>
            int main(void) {
                unsigned long fs = 0, gs = 1, self, v = 0;
                out("get fs: "); num(sys3(158, ARCH_GET_FS, (long) &fs, 0)); out("\\n");
                __asm__ volatile ("mov %%fs:0, %0" : "=r"(self));
                out("fs is the TCB: "); num(fs == self && fs != 0); out("\\n");
                out("set gs: "); num(sys3(158, ARCH_SET_GS, 0x12345000, 0)); out("\\n");
                out("get gs: "); num(sys3(158, ARCH_GET_GS, (long) &gs, 0)); out(" "); num(gs); out("\\n");
                static unsigned long word = 77;
                sys3(158, ARCH_SET_GS, (long) &word, 0);
                __asm__ volatile ("mov %%gs:0, %0" : "=r"(v));
                out("gs:0 = "); num(v); out("\\n");
                out("set fs kernel: "); num(sys3(158, ARCH_SET_FS, 0xffff800000000000UL, 0)); out("\\n");
                out("bad code: "); num(sys3(158, 0x9999, 0, 0)); out("\\n");
                out("get fs bad pointer: "); num(sys3(158, ARCH_GET_FS, 8, 0)); out("\\n");
                return 0;
            }
            """;

    @Test
    void archPrctlLikeNative() {
        Path exe = build("archprctl", ARCH_PRCTL, "-static");
        same(exe, List.of("archprctl"), List.of());
    }

    @Test
    void segfaultKillsWith139() {
        Path exe = build("segv", SEGV, "-static");
        GuestPrograms.Outcome n = GuestPrograms.runNative(exe, List.of("segv"), List.of());
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("segv"), List.of());
        assertEquals(139, n.status());
        assertEquals(n.status(), j.status());
        assertEquals("before\n", j.stdout());
        assertTrue(j.stderr().matches("jvmx: \\S+: SIGSEGV at 0x[0-9a-f]+ \\(address 0x10\\)\\n"), j.stderr());
    }
}

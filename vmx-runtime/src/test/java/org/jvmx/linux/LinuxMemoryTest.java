package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** brk, mmap, munmap, mprotect, mremap, madvise, msync: results and errno values compared with the host kernel. */
class LinuxMemoryTest {
    static final String MEM = LinuxRunTest.SYS + """
            #include <sys/mman.h>
            #include <errno.h>
            #define CHECK(name, expr) do { long r_ = (long) (expr); out(name); out(" = "); \\
                if (r_ < 0 && r_ > -4096) { out("-"); num(-r_); } else out(r_ ? "ok" : "0"); out("\\n"); } while (0)
            #define SHOW(name, v) do { out(name); out(" = "); num((long) (v)); out("\\n"); } while (0)
            static long mm(long a, long l, long p, long f, long fd, long o) { return sys6(9, a, l, p, f, fd, o); }
            int main(void) {
                long b0 = sys3(12, 0, 0, 0);
                SHOW("brk grows", sys3(12, b0 + 100000, 0, 0) == b0 + 100000);
                char *h = (char *) b0; h[0] = 1; h[99999] = 2;
                SHOW("brk data", h[0] + h[99999]);
                SHOW("brk shrink", sys3(12, b0 + 10, 0, 0) == b0 + 10);
                SHOW("brk below start", sys3(12, 4096, 0, 0) == b0 + 10);
                SHOW("brk regrow zero", (sys3(12, b0 + 100000, 0, 0), h[99999]));

                CHECK("mmap len 0", mm(0, 0, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
                CHECK("mmap bad type", mm(0, 4096, 3, MAP_ANONYMOUS, -1, 0));
                CHECK("mmap unaligned off", mm(0, 4096, 3, MAP_PRIVATE, 0, 100));
                CHECK("mmap bad fd", mm(0, 4096, 3, MAP_PRIVATE, 99, 0));
                CHECK("mmap fixed unaligned", mm(0x10000001, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
                char *m = (char *) mm(0, 3 * 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                SHOW("mmap aligned", ((long) m & 4095) == 0);
                SHOW("mmap zero", m[0] + m[3 * 4096 - 1]);
                m[0] = 5; m[4096] = 6; m[8192] = 7;
                CHECK("noreplace over", mm((long) m, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
                CHECK("fixed over", mm((long) m + 4096, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
                SHOW("fixed replaced", m[0] * 100 + m[4096] * 10 + m[8192]);
                CHECK("munmap unaligned", sys3(11, (long) m + 1, 4096, 0));
                CHECK("munmap len 0", sys3(11, (long) m, 0, 0));
                CHECK("munmap middle", sys3(11, (long) m + 4096, 4096, 0));
                CHECK("mprotect hole", sys3(10, (long) m, 3 * 4096, 1));
                CHECK("mprotect unaligned", sys3(10, (long) m + 1, 4096, 1));
                CHECK("mprotect bad prot", sys3(10, (long) m, 4096, 0x40));
                CHECK("mprotect ro", sys3(10, (long) m, 4096, PROT_READ));
                SHOW("read ro", m[0]);
                CHECK("write to ro via syscall", sys3(0, 0, (long) m, 1));
                CHECK("write from ro", sys3(1, 1, (long) m + 4095, 0));
                CHECK("mprotect rw", sys3(10, (long) m, 4096, PROT_READ | PROT_WRITE));
                m[1] = 9;
                SHOW("rw again", m[0] + m[1]);
                CHECK("madvise dontneed", sys3(28, (long) m, 4096, MADV_DONTNEED));
                SHOW("dontneed zeroed", m[0] + m[1] + m[8192]);
                CHECK("madvise hole", sys3(28, (long) m, 3 * 4096, MADV_NORMAL));
                CHECK("madvise unaligned", sys3(28, (long) m + 3, 4096, MADV_NORMAL));
                char *r = (char *) mm(0, 2 * 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                r[0] = 11; r[4096] = 12;
                char *g = (char *) sys6(25, (long) r, 2 * 4096, 64 * 4096, MREMAP_MAYMOVE, 0, 0);
                SHOW("mremap grow keeps", g[0] * 100 + g[4096] + g[64 * 4096 - 1]);
                g[64 * 4096 - 1] = 1;
                char *s = (char *) sys6(25, (long) g, 64 * 4096, 4096, 0, 0, 0);
                SHOW("mremap shrink in place", s == g);
                SHOW("mremap shrink keeps", s[0]);
                CHECK("mremap bad flags", sys6(25, (long) s, 4096, 8192, 0x80, 0, 0));
                CHECK("mremap unmapped", sys6(25, 0x10000, 4096, 8192, MREMAP_MAYMOVE, 0, 0));
                CHECK("msync", sys3(26, (long) s, 4096, MS_SYNC));
                CHECK("msync bad flags", sys3(26, (long) s, 4096, MS_SYNC | MS_ASYNC));
                CHECK("msync hole", sys3(26, 0x10000, 4096, MS_SYNC));
                char *big = (char *) mm(0, 1L << 30, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
                big[0] = 1; big[(1L << 30) - 1] = 2;
                SHOW("1 GiB sparse", big[0] + big[(1L << 30) - 1]);
                CHECK("munmap big", sys3(11, (long) big, 1L << 30, 0));
                CHECK("mmap beyond user space", mm(0x7ffffffff000, 8192, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
                return 0;
            }
            """;

    static final String RO_WRITE = LinuxRunTest.SYS + """
            #include <sys/mman.h>
            int main(void) {
                char *m = (char *) sys6(9, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                out("mapped\\n");
                m[0] = 1;
                return 0;
            }
            """;

    static final String FAULTS = LinuxRunTest.SYS + """
            int main(int argc, char **argv) {
                volatile int zero = argc - 2;
                switch (argv[1][0]) {
                case 'd': return 10 / zero;
                case 'u': __asm__ volatile ("ud2"); break;
                case 'g': __asm__ volatile ("hlt"); break;
                case 'x': ((void (*)(void)) (long) &zero)(); break;
                case 'v': __asm__ volatile ("vmcall"); break;
                case 'b': __asm__ volatile ("int3"); break;
                }
                return 0;
            }
            """;

    @Test
    void memoryCallsLikeNative() {
        for (String flag : List.of("-static", "-static-pie")) {
            Path exe = GuestPrograms.build("mem", MEM, flag);
            GuestPrograms.Outcome n = GuestPrograms.runNative(exe, List.of("mem"), List.of());
            GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("mem"), List.of());
            assertEquals(n.stdout(), j.stdout(), j.stderr());
            assertEquals(0, n.status());
            assertEquals(n.status(), j.status(), j.stderr());
        }
    }

    @Test
    void writeToReadOnlyPageIsSigsegv() {
        Path exe = GuestPrograms.build("rowrite", RO_WRITE, "-static");
        GuestPrograms.Outcome n = GuestPrograms.runNative(exe, List.of("rowrite"), List.of());
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("rowrite"), List.of());
        assertEquals(139, n.status());
        assertEquals(n.stdout(), j.stdout());
        assertEquals(139, j.status(), j.stderr());
        assertTrue(j.stderr().contains("SIGSEGV"), j.stderr());
    }

    @Test
    void exceptionsBecomeSignals() {
        Path exe = GuestPrograms.build("faults", FAULTS, "-static");
        for (String kind : List.of("d", "u", "g", "x", "b")) {
            GuestPrograms.Outcome n = GuestPrograms.runNative(exe, List.of("faults", kind), List.of());
            GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("faults", kind), List.of());
            assertEquals(n.status(), j.status(), kind + ": " + j.stderr());
            assertEquals(1, j.stderr().lines().count(), kind + ": " + j + " native " + n);
        }
    }

    @Test
    void vmcallFromTheProgramIsSigill() {
        // not compared with the host: a VMCALL at CPL 3 is #UD on bare metal but hypervisors answer it differently
        Path exe = GuestPrograms.build("faults", FAULTS, "-static");
        GuestPrograms.Outcome j = GuestPrograms.runJvmx(exe, List.of("faults", "v"), List.of());
        assertEquals(128 + 4, j.status(), j.stderr());
        assertTrue(j.stderr().contains("SIGILL"), j.stderr());
    }
}

package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.jvmx.translator.exec.CpuidModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dynamically linked programs: PT_INTERP, ld.so loaded top-down, shared libraries mapped from
 * files (through a test stand-in of the files group). glibc's ld.so refuses a libc whose ISA
 * level (x86-64 baseline: FPU, MMX, ...) the CPU does not report, so these run once CPUID.1:EDX
 * reports FPU and MMX (the x87 work), and are skipped before.
 */
class DynamicProgramTest {
    @BeforeEach
    void baselineIsa() {
        int edx = CpuidModel.DEFAULT.answer(1, 0)[3];
        assumeTrue((edx & 1) != 0 && (edx & 1 << 23) != 0, "CPUID does not report FPU and MMX yet");
    }

    @Test
    void binTrue() {
        GuestPrograms.Outcome j = GuestPrograms.runJvmxWithHostFiles(Path.of("/bin/true"), List.of("true"), List.of());
        assertEquals(0, j.status(), j.stderr());
    }

    @Test
    void binFalse() {
        GuestPrograms.Outcome j = GuestPrograms.runJvmxWithHostFiles(Path.of("/bin/false"), List.of("false"), List.of());
        assertEquals(1, j.status(), j.stderr());
    }

    @Test
    void dynamicPrintfLikeNative() {
        Path exe = GuestPrograms.build("dynprintf", """
                #include <stdio.h>
                #include <stdlib.h>
                #include <string.h>
                int main(int argc, char **argv) {
                    char *p = malloc(100000);
                    memset(p, 'x', 99999);
                    p[99999] = 0;
                    printf("argc=%d len=%zu %s %x\\n", argc, strlen(p), argv[argc - 1], 0xabc * argc);
                    free(p);
                    return 3;
                }
                """);
        GuestPrograms.Outcome n = GuestPrograms.runNative(exe, List.of("dyn", "a", "b"), List.of());
        GuestPrograms.Outcome j = GuestPrograms.runJvmxWithHostFiles(exe, List.of("dyn", "a", "b"), List.of());
        assertEquals(n.stdout(), j.stdout(), j.stderr());
        assertEquals(n.status(), j.status(), j.stderr());
    }
}

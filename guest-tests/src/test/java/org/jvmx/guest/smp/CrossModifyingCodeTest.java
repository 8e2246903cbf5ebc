package org.jvmx.guest.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.jvmx.translator.exec.Engine;

/**
 * Cross-modifying code (SDM Vol. 3A, 9.1.3): vCPU 1 calls a function that returns 1, over and
 * over, until it is hot (translated, compiled in the compiled tiers); vCPU 0 rewrites the
 * function's immediate to 2, then raises a flag. Once vCPU 1 has seen the flag, its next call
 * must run the new code: the store by vCPU 0 reaches vCPU 1's code cache (the code pages are
 * shared by all vCPUs of the memory) and vCPU 1 drops the block at its next block boundary.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrossModifyingCodeTest {
    // [rdi+0x40] flag, [rdi+0x80] vCPU 1's calls, [rdi+0x100] stale calls after the flag
    private static String program(String beforeFunction) {
        return """
                test esi, esi
                jnz 5f
                # vCPU 0: wait until vCPU 1 made 20000 calls, patch, signal
                1:
                pause
                cmp qword ptr [rdi + 0x80], 20000
                jb 1b
                lea rax, [rip + function]
                mov byte ptr [rax + 1], 2
                mov dword ptr [rdi + 0x40], 1
                hlt
                # vCPU 1: flag, call, check
                5:
                xor r12d, r12d
                6:
                mov r11d, [rdi + 0x40]
                call function
                cmp eax, 2
                je 9f
                test r11d, r11d
                jz 7f
                lock inc qword ptr [rdi + 0x100]
                jmp 9f
                7:
                inc r12
                mov [rdi + 0x80], r12
                jmp 6b
                9:
                hlt
                %s
                function:
                mov eax, 1
                ret
                """.formatted(beforeFunction);
    }

    @ParameterizedTest(name = "{0}: function {1}")
    @CsvSource({"INTERPRET, on another page", "INTERPRET, on the caller's page", "COMPILE, on another page",
            "COMPILE, on the caller's page", "MIXED, on another page", "MIXED, on the caller's page"})
    void aStoreByOneVcpuReachesCodeAnotherTranslated(Engine.Tier tier, String where) throws InterruptedException {
        try (SmpGuest g = new SmpGuest(tier, 2, program(where.contains("another") ? ".balign 4096" : ""))) {
            g.run(50);
            assertEquals(0, g.read(SmpGuest.DATA + 0x100, 8), "vCPU 1 ran the old code after seeing the flag");
            assertTrue(g.read(SmpGuest.DATA + 0x80, 8) >= 20000);
        }
    }
}

package org.jvmx.guest.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vm.Reg;

/**
 * A lock-free stack whose head is a pointer and an ABA counter updated together by LOCK
 * CMPXCHG16B (SDM Vol. 2A, CMPXCHG8B/CMPXCHG16B). Every vCPU pops a node, claims it with XCHG
 * (finding it already claimed means two vCPUs popped the same node), counts a use in it with
 * plain stores, releases and pushes it back. At the end every node is in the stack exactly
 * once, no claim ever collided, and the uses add up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Cmpxchg16bStackTest {
    private static final long HEAD = SmpGuest.DATA;          // {top, counter}, 16-byte aligned
    private static final long VIOLATIONS = SmpGuest.DATA + 0x40;
    private static final long NODES = SmpGuest.DATA + 0x1000; // {next, claimed, uses, pad}
    private static final int NODE_COUNT = 16;

    // r9: iterations; r10: the popped node
    private static final String PROGRAM = """
            1:
            mov rax, [rdi]
            mov rdx, [rdi + 8]
            test rax, rax
            jnz 2f
            pause
            jmp 1b
            2:
            mov rbx, [rax]
            lea rcx, [rdx + 1]
            lock cmpxchg16b [rdi]
            jnz 1b
            mov r10, rax
            mov r11d, 1
            xchg [r10 + 8], r11
            test r11, r11
            jz 3f
            lock inc qword ptr [rdi + 0x40]
            3:
            inc qword ptr [r10 + 16]
            mov qword ptr [r10 + 8], 0
            4:
            mov rax, [rdi]
            mov rdx, [rdi + 8]
            mov [r10], rax
            mov rbx, r10
            lea rcx, [rdx + 1]
            lock cmpxchg16b [rdi]
            jnz 4b
            dec r9
            jnz 1b
            hlt
            """;

    @ParameterizedTest(name = "{0}: {1} vCPUs")
    @CsvSource({"INTERPRET, 2", "INTERPRET, 4", "COMPILE, 2", "COMPILE, 4"})
    void noNodeLostOrDuplicated(Engine.Tier tier, int cpus) throws InterruptedException {
        long n = 100_000;
        try (SmpGuest g = new SmpGuest(tier, cpus, PROGRAM)) {
            for (int k = 0; k < NODE_COUNT; k++) {
                g.vm.writeValue(NODES + k * 32L, 8, k + 1 < NODE_COUNT ? NODES + (k + 1) * 32L : 0);
            }
            g.vm.writeValue(HEAD, 8, NODES);
            g.reg(Reg.R9, n);
            g.run(100);
            assertEquals(0, g.read(VIOLATIONS, 8), "a node popped by two vCPUs at once");
            Set<Long> seen = new HashSet<>();
            long uses = 0;
            for (long p = g.read(HEAD, 8); p != 0; p = g.read(p, 8)) {
                assertTrue(seen.add(p), "node listed twice: " + Long.toHexString(p));
                assertTrue(seen.size() <= NODE_COUNT, "cycle in the stack");
                assertEquals(0, g.read(p + 8, 8), "node still claimed");
                uses += g.read(p + 16, 8);
            }
            assertEquals(NODE_COUNT, seen.size(), "nodes in the stack");
            assertEquals(cpus * n, uses, "uses");
            assertEquals(2 * cpus * n, g.read(HEAD + 8, 8), "ABA counter: one per successful CMPXCHG16B");
        }
    }
    /**
     * CMPXCHG16B and narrow locked accesses on the same bytes: even vCPUs add 1 to both
     * quadwords of a pair with CMPXCHG16B, odd ones LOCK XADD 1 into the low one. The
     * 16-byte access must be atomic against the 8-byte ones too: no increment is lost.
     */
    @ParameterizedTest(name = "{0}: {1} vCPUs")
    @CsvSource({"INTERPRET, 2", "COMPILE, 2", "COMPILE, 4"})
    void wideAndNarrowLockedAccessesOnTheSameBytes(Engine.Tier tier, int cpus) throws InterruptedException {
        long n = 200_000;
        String program = """
                test esi, 1
                jnz 3f
                1:
                mov rax, [rdi + 0x80]
                mov rdx, [rdi + 0x88]
                2:
                lea rbx, [rax + 1]
                lea rcx, [rdx + 1]
                lock cmpxchg16b [rdi + 0x80]
                jnz 2b
                dec r9
                jnz 1b
                hlt
                3:
                mov eax, 1
                lock xadd [rdi + 0x80], rax
                dec r9
                jnz 3b
                hlt
                """;
        try (SmpGuest g = new SmpGuest(tier, cpus, program)) {
            g.reg(Reg.R9, n);
            g.run(100);
            long wide = (cpus + 1) / 2 * n, narrow = cpus / 2 * n;
            assertEquals(wide, g.read(SmpGuest.DATA + 0x88, 8), "high quadword: CMPXCHG16Bs");
            assertEquals(wide + narrow, g.read(SmpGuest.DATA + 0x80, 8), "low quadword: both");
        }
    }
}

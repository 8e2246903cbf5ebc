package org.jvmx.guest.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vm.Reg;

/**
 * A spinlock (XCHG, which is always locked, SDM Vol. 3A 9.1.2.1; LOCK CMPXCHG; LOCK BTS) protecting a
 * critical section that is not atomic by itself: it reads two words that must be equal,
 * increments both with plain loads and stores, and raises an "inside" flag that must never be
 * found set on entry. The lock is released by a plain store, which x86-TSO orders after the
 * section's stores. Overlapping sections would be counted in the violations word or lose
 * increments.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpinlockTest {
    // [rdi] lock, [rdi+0x40] inside, [rdi+0x80] a, [rdi+0xc0] b, [rdi+0x100] violations
    private static final String XCHG_ACQUIRE = """
            mov eax, 1
            xchg dword ptr [rdi], eax
            test eax, eax
            """;
    private static final String CMPXCHG_ACQUIRE = """
            xor eax, eax
            mov edx, 1
            lock cmpxchg dword ptr [rdi], edx
            """;

    private static final String BTS_ACQUIRE = """
            lock bts dword ptr [rdi], 0
            setc al
            test al, al
            """;

    private static String program(String acquire) {
        return """
                1:
                %s
                jz 3f
                2:
                pause
                cmp dword ptr [rdi], 0
                jne 2b
                jmp 1b
                3:
                cmp qword ptr [rdi + 0x40], 0
                je 4f
                lock inc qword ptr [rdi + 0x100]
                4:
                mov qword ptr [rdi + 0x40], 1
                mov rax, [rdi + 0x80]
                mov rbx, [rdi + 0xc0]
                cmp rax, rbx
                je 5f
                lock inc qword ptr [rdi + 0x100]
                5:
                inc rax
                mov [rdi + 0x80], rax
                mov rdx, 7
                6:
                dec rdx
                jnz 6b
                inc rbx
                mov [rdi + 0xc0], rbx
                mov qword ptr [rdi + 0x40], 0
                mov dword ptr [rdi], 0
                dec rcx
                jnz 1b
                hlt
                """.formatted(acquire);
    }

    @ParameterizedTest(name = "{0}: {1} vCPUs, {2}")
    @CsvSource({"INTERPRET, 2, xchg", "INTERPRET, 4, xchg", "COMPILE, 2, xchg", "COMPILE, 4, xchg",
            "INTERPRET, 4, cmpxchg", "COMPILE, 2, cmpxchg", "COMPILE, 4, cmpxchg", "MIXED, 4, cmpxchg",
            "INTERPRET, 4, bts", "COMPILE, 4, bts"})
    void criticalSectionsNeverOverlap(Engine.Tier tier, int cpus, String kind) throws InterruptedException {
        long n = 100_000;
        try (SmpGuest g = new SmpGuest(tier, cpus, program(switch (kind) {
            case "xchg" -> XCHG_ACQUIRE;
            case "cmpxchg" -> CMPXCHG_ACQUIRE;
            default -> BTS_ACQUIRE;
        }))) {
            g.reg(Reg.RCX, n);
            g.run(100);
            assertEquals(0, g.read(SmpGuest.DATA + 0x100, 8), "overlapping critical sections");
            assertEquals(cpus * n, g.read(SmpGuest.DATA + 0x80, 8), "a");
            assertEquals(cpus * n, g.read(SmpGuest.DATA + 0xc0, 8), "b");
            assertEquals(0, g.read(SmpGuest.DATA, 4), "lock released");
        }
    }
}

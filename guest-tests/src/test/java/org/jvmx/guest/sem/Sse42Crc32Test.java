package org.jvmx.guest.sem;

import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;
import org.junit.jupiter.api.Test;

/**
 * CRC32 (CRC-32C) against the host CPU: 8/16/32/64-bit register and memory sources, 32- and
 * 64-bit destinations (upper half cleared), high-byte and REX byte registers, random data and
 * accumulators per size, a faulting memory source leaving the destination unchanged.
 */
class Sse42Crc32Test implements DirectedCases {
    private static final List<String> FORMS = List.of(
            "crc32 eax, bl", "crc32 ecx, ah", "crc32 r8d, sil", "crc32 r15d, r9b", "crc32 rax, bl", "crc32 r11, r12b",
            "crc32 eax, bx", "crc32 r10d, r13w", "crc32 edx, ebx", "crc32 esi, r14d", "crc32 rax, rbx", "crc32 r9, r15",
            "crc32 eax, eax", "crc32 rdx, rdx",
            "crc32 eax, byte ptr [rbx+1]", "crc32 rax, byte ptr [rbx+0x23]", "crc32 edi, word ptr [rbx+3]",
            "crc32 ebp, dword ptr [rbx+5]", "crc32 r12, qword ptr [rbx+7]", "crc32 rax, qword ptr [rbx-0x31]", "crc32 r14d, dword ptr [rbx-0x12]");

    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0xC4C);
        Ssse3Cases b = new Ssse3Cases();
        long[] acc = {0, -1, 0xffff_ffffL, 0x1_0000_0000L, 0x8000_0000L, 0x82F6_3B78L};
        for (String f : FORMS) {
            for (int k = 0; k < 150; k++) b.add(f, Ssse3Cases.randomState(r));
            for (long a : acc)
                b.add(f, Ssse3Cases.randomState(r).withGpr(HostState.RAX, a).withGpr(HostState.RCX, a)
                        .withGpr(HostState.RDX, a).withGpr(HostState.R8, a).withGpr(HostState.R9, a)
                        .withGpr(HostState.RBX, Ssse3Cases.BASE));
        }
        b.add("crc32 rax, qword ptr [rbx+0x1ffd]", Ssse3Cases.randomState(r));
        b.add("crc32 eax, byte ptr [rbx+0x1f00]", Ssse3Cases.randomState(r));
        return b.build();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}

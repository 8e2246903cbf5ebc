package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.Compat32;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Instructions of 32-bit code only, run in compatibility mode on the host and in jvmx
 * ({@link Compat32}): DAA, DAS, AAA, AAS on every AL with every AF/CF combination, AAM/AAD with
 * several bases (and AAM 0 → #DE), INTO with OF clear and set (#OF → SIGSEGV on Linux),
 * PUSHFD/POPFD, RETF and RETF imm16 between 32-bit code, and
 * the far returns of the wrapper itself (64 → 32 → 64). BOUND, LDS and LES are not here: this
 * machine's CPU answers every one of them in compatibility mode with #GP (a memory form of 62,
 * C5 or C4 is no EVEX/VEX prefix there, yet it faults), so it cannot serve as their oracle.
 */
class LegacyOpsTest implements DirectedCases {
    static final long SCRATCH = HostCpu.SCRATCH_BASE;

    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        List<HostState> states = new ArrayList<>();
        HostState base = HostState.initial().withGpr(HostState.RBX, SCRATCH + 0x100).withGpr(HostState.RSI, 0x11223344);
        byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
        for (int k = 0; k < scratch.length; k++) scratch[k] = (byte) (k * 37 + 11);
        base = base.withScratch(scratch);

        long[] flagSets = {0, HostState.AF, HostState.CF, HostState.AF | HostState.CF};
        for (String op : new String[] {"daa", "das", "aaa", "aas"}) {
            for (int al = 0; al < 256; al++) {
                for (long f : flagSets) {
                    code.add(Compat32.wrap("mov eax, " + (0x5500 | al) + "\n" + op));
                    states.add(base.withRflags(f | HostState.OF));
                }
            }
        }
        // after an addition/subtraction, as DAA/DAS are meant to be used (flags from a real ADD/SUB)
        for (int a = 0; a < 100; a += 7) {
            for (int b = 0; b < 100; b += 9) {
                code.add(Compat32.wrap(String.format("mov al, 0x%d\nadd al, 0x%d\ndaa", a, b)));
                code.add(Compat32.wrap(String.format("mov al, 0x%d\nsub al, 0x%d\ndas", a, b)));
                code.add(Compat32.wrap(String.format("mov ax, %d\nadd al, %d\naaa", a % 10, b % 10)));
                code.add(Compat32.wrap(String.format("mov ax, %d\nsub al, %d\naas", 0x300 | a % 10, b % 10)));
                for (int k = 0; k < 4; k++) states.add(base);
            }
        }
        for (int base10 : new int[] {10, 16, 2, 7, 255, 1}) {
            for (int ax = 0; ax < 0x10000; ax += 0x1F3) {
                code.add(Compat32.wrap("mov eax, " + ax + "\naam " + base10));
                code.add(Compat32.wrap("mov eax, " + ax + "\naad " + base10));
                states.add(base);
                states.add(base);
            }
        }
        code.add(Compat32.wrap("mov eax, 77\naam 0"));
        states.add(base);
        // INTO: nothing with OF clear; the #OF trap (Linux: SIGSEGV) with OF set
        code.add(Compat32.wrap("mov eax, 1\ninto\nmov ecx, 2"));
        states.add(base);
        code.add(Compat32.wrap("mov eax, 0x7fffffff\nadd eax, 1\ninto\nmov ecx, 2"));
        states.add(base);
        // PUSHFD / POPFD
        code.add(Compat32.wrap("pushfd\npop eax\nand eax, 0x8d5"));
        states.add(base.withRflags(HostState.CF | HostState.ZF | HostState.OF));
        code.add(Compat32.wrap("push 0x8d5\npopfd\npushfd\npop ecx"));
        states.add(base);
        code.add(Compat32.wrap("push 0\npopfd\nmov eax, 0\nadc eax, 0"));
        states.add(base.withRflags(HostState.CF));
        code.add(Compat32.wrap("pushfd\nor dword ptr [esp], 0x400\npopfd\npushfd\npop edx\ncld"));
        states.add(base);
        // RETF between 32-bit code: a far call's frame built by hand, with and without imm16
        code.add(Compat32.wrap("push 0x23\ncall 1f\njmp 2f\n1: add dword ptr [esp], 0\nretf\n2: mov eax, 9"));
        code.add(Compat32.wrap("push 1\npush 2\npush 0x23\ncall 1f\njmp 2f\n1: retf 8\n2: mov eax, esp"));
        code.add(Compat32.wrap("push 0x2b\ncall 1f\njmp 2f\n1: retf\n2: mov eax, 9")); // data selector: #GP
        code.add(Compat32.wrap("push 0\ncall 1f\njmp 2f\n1: retf\n2: mov eax, 9")); // null selector: #GP(0)
        for (int k = 0; k < 4; k++) states.add(base);

        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> cases = new ArrayList<>();
        for (int k = 0; k < bytes.size(); k++) cases.add(new HostCase(states.get(k), bytes.get(k)));
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}

package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Semantics;

/**
 * SSE4.2 packed string compares (SDM Vol. 2, PCMPESTRI, PCMPESTRM, PCMPISTRI, PCMPISTRM): the
 * operand plumbing around {@link StringCompare}. Explicit-length forms take the lengths from
 * EAX (first operand) and EDX (second), or RAX/RDX with REX.W (the decoder's ...64 mnemonics).
 * The index forms write ECX (zero-extended), the mask forms XMM0. The memory operand has no
 * alignment rule. PCMPGTQ lives with the SSE4.1 lane operations ({@link Sse41Ops}).
 */
final class Sse42Ops {
    private Sse42Ops() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.PCMPESTRI, strcmp(true, false, true));
        in.put(Mnemonic.PCMPESTRI64, strcmp(true, true, true));
        in.put(Mnemonic.PCMPESTRM, strcmp(true, false, false));
        in.put(Mnemonic.PCMPESTRM64, strcmp(true, true, false));
        in.put(Mnemonic.PCMPISTRI, strcmp(false, false, true));
        in.put(Mnemonic.PCMPISTRM, strcmp(false, false, false));
    }

    static Semantics strcmp(boolean explicit, boolean wide, boolean index) {
        return (c, i) -> run(c, i, explicit, wide, index);
    }

    private static void run(Cpu c, Instruction i, boolean explicit, boolean wide, boolean index) {
        c.checkSse();
        long[] b = Ssse3Xmm.read128(c, i, 1, false);
        long[] a = Ssse3Xmm.xmm(c, Ssse3Xmm.reg(i, 0));
        int imm = (int) i.immediate(2) & 0xFF;
        int la, lb;
        if (explicit) {
            la = StringCompare.explicitLength(c.gpr[CpuState.RAX], wide, imm);
            lb = StringCompare.explicitLength(c.gpr[CpuState.RDX], wide, imm);
        } else {
            la = StringCompare.implicitLength(a[0], a[1], imm);
            lb = StringCompare.implicitLength(b[0], b[1], imm);
        }
        int res2 = StringCompare.compare(a, b, la, lb, imm);
        if (index) {
            c.gpr[CpuState.RCX] = StringCompare.index(res2, imm);
        } else {
            Ssse3Xmm.write(c, 0, StringCompare.mask(res2, imm));
        }
        c.flags.setDirect(StringCompare.flags(res2, la, lb, imm));
    }
}

package org.jvmx.translator.sem;

import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * PUSHAD and POPAD (SDM Vol. 2 "PUSHA/PUSHAD", "POPA/POPAD"; not valid in 64-bit mode): the
 * eight general-purpose registers through the stack, with SS's limit checked for every slot
 * before anything is written or assigned (#SS(0), precise). PUSHA/POPA (the 16-bit forms, 66
 * prefix in 32-bit code) take the same path with 2-byte slots once a test covers them.
 */
final class PushAllOps {
    private PushAllOps() {
    }

    /** Push order: EAX, ECX, EDX, EBX, the original ESP, EBP, ESI, EDI (GPR numbers 0..7). */
    static void install(Isa.Installer in) {
        in.put(Mnemonic.PUSHAD, (c, i) -> pushAll(c, 4));
        in.put(Mnemonic.POPAD, (c, i) -> popAll(c, 4));
    }

    static void pushAll(Cpu c, int bytes) {
        long m = Stack.mask(c);
        long sp = c.gpr[CpuState.RSP] & m;
        long[] slot = new long[8];
        for (int r = 0; r < 8; r++) {
            slot[r] = (sp - (long) bytes * (r + 1)) & m;
            c.probeWriteData(CpuState.SS, slot[r], bytes); // the slots may wrap at the stack size: each checked
        }
        long[] v = new long[8];
        for (int r = 0; r < 8; r++) v[r] = c.gpr[r]; // the ESP pushed is the value before the instruction
        for (int r = 0; r < 8; r++) c.writeData(CpuState.SS, slot[r], bytes, v[r]);
        Stack.setSp(c, slot[7]);
    }

    static void popAll(Cpu c, int bytes) {
        long m = Stack.mask(c);
        long sp = c.gpr[CpuState.RSP] & m;
        long[] v = new long[8];
        // EDI comes first (lowest address), EAX last; the ESP slot is read (and checked) but discarded.
        for (int r = 7; r >= 0; r--) v[r] = c.readData(CpuState.SS, (sp + (long) bytes * (7 - r)) & m, bytes);
        for (int r = 0; r < 8; r++) {
            if (r != CpuState.RSP) Operands.writeGpr(c.gpr, r, bytes * 8, v[r]);
        }
        Stack.setSp(c, sp + 8L * bytes);
    }
}

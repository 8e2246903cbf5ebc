package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * The string instructions MOVS, STOS, LODS, SCAS, CMPS, INS and OUTS with REP/REPE/REPNE
 * (SDM Vol. 1, 7.3.9; Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). RSI/RDI/RCX are used at the
 * address size (ESI/EDI/ECX with a 67 prefix); the source may take an FS/GS override, the
 * destination is always ES. A REP loop runs here to its end; a fault in iteration k leaves
 * the registers as k iterations made them, with RIP on the instruction, so it resumes
 * where it stopped, as on hardware.
 */
public final class StringOps {
    private StringOps() {
    }

    private enum Kind { MOVS, STOS, LODS, SCAS, CMPS, INS, OUTS }

    public static void install(Isa.Installer in) {
        put(in, Kind.MOVS, Mnemonic.MOVSB, Mnemonic.MOVSW, null, Mnemonic.MOVSQ);
        put(in, Kind.STOS, Mnemonic.STOSB, Mnemonic.STOSW, Mnemonic.STOSD, Mnemonic.STOSQ);
        put(in, Kind.LODS, Mnemonic.LODSB, Mnemonic.LODSW, Mnemonic.LODSD, Mnemonic.LODSQ);
        put(in, Kind.SCAS, Mnemonic.SCASB, Mnemonic.SCASW, Mnemonic.SCASD, Mnemonic.SCASQ);
        put(in, Kind.CMPS, Mnemonic.CMPSB, Mnemonic.CMPSW, null, Mnemonic.CMPSQ);
        put(in, Kind.INS, Mnemonic.INSB, Mnemonic.INSW, Mnemonic.INSD, null);
        put(in, Kind.OUTS, Mnemonic.OUTSB, Mnemonic.OUTSW, Mnemonic.OUTSD, null);
        // MOVSD and CMPSD name both a string instruction (A5, A7) and an SSE2 scalar one.
        in.put(Mnemonic.MOVSD, (c, i) -> {
            if (isString(i)) string(c, i, Kind.MOVS, 4); else SseIntegerOps.movsdXmm(c, i);
        });
        in.put(Mnemonic.CMPSD, (c, i) -> {
            if (isString(i)) string(c, i, Kind.CMPS, 4); else SseFloatOps.cmpsdXmm(c, i);
        });
    }

    private static boolean isString(Instruction i) {
        OperandKind k = i.operandKind(0);
        return k == OperandKind.STRING_DST || k == OperandKind.STRING_SRC;
    }

    private static void put(Isa.Installer in, Kind kind, Mnemonic b, Mnemonic w, Mnemonic d, Mnemonic q) {
        Mnemonic[] ms = {b, w, d, q};
        for (int s = 0; s < 4; s++) {
            if (ms[s] == null) continue;
            int bytes = 1 << s;
            in.put(ms[s], (c, i) -> string(c, i, kind, bytes));
        }
    }

    private static void string(Cpu c, Instruction i, Kind kind, int bytes) {
        if (kind == Kind.INS || kind == Kind.OUTS) SystemOps.checkIo(c);
        boolean a32 = i.addressSize() == 32;
        long amask = a32 ? 0xFFFF_FFFFL : -1L;
        long step = c.state.df() ? -bytes : bytes;
        long srcBase = Operands.segmentBase(c, i.segmentPrefix());
        long[] g = c.gpr;
        boolean rep = i.hasRep() || i.hasRepne();
        boolean compare = kind == Kind.SCAS || kind == Kind.CMPS;
        // For SCAS/CMPS, F3 repeats while equal and F2 while not equal.
        boolean whileEqual = i.hasRep();
        while (true) {
            if (rep && (g[CpuState.RCX] & amask) == 0) return;
            long rsi = g[CpuState.RSI] & amask, rdi = g[CpuState.RDI] & amask;
            switch (kind) {
                case MOVS -> {
                    long v = c.read(srcBase + rsi, bytes);
                    c.write(rdi, bytes, v);
                    advance(g, CpuState.RSI, rsi + step, a32);
                    advance(g, CpuState.RDI, rdi + step, a32);
                }
                case STOS -> {
                    c.write(rdi, bytes, g[CpuState.RAX]);
                    advance(g, CpuState.RDI, rdi + step, a32);
                }
                case LODS -> {
                    long v = c.read(srcBase + rsi, bytes);
                    Operands.writeGpr(g, CpuState.RAX, bytes * 8, v);
                    advance(g, CpuState.RSI, rsi + step, a32);
                }
                case SCAS -> {
                    long v = c.read(rdi, bytes);
                    c.flags.sub(bytes * 8, g[CpuState.RAX], v);
                    advance(g, CpuState.RDI, rdi + step, a32);
                }
                case CMPS -> {
                    long s = c.read(srcBase + rsi, bytes);
                    long d = c.read(rdi, bytes);
                    c.flags.sub(bytes * 8, s, d);
                    advance(g, CpuState.RSI, rsi + step, a32);
                    advance(g, CpuState.RDI, rdi + step, a32);
                }
                case INS -> {
                    c.memory.probeWrite(rdi, bytes, c.user);
                    long v = c.sensitive.in(c, i, (int) (g[CpuState.RDX] & 0xFFFF), bytes);
                    c.write(rdi, bytes, v);
                    advance(g, CpuState.RDI, rdi + step, a32);
                }
                case OUTS -> {
                    long v = c.read(srcBase + rsi, bytes);
                    c.sensitive.out(c, i, (int) (g[CpuState.RDX] & 0xFFFF), bytes, v);
                    advance(g, CpuState.RSI, rsi + step, a32);
                }
            }
            if (!rep) return;
            advance(g, CpuState.RCX, (g[CpuState.RCX] & amask) - 1, a32);
            if (compare && c.flags.zf() != whileEqual) return;
        }
    }

    private static void advance(long[] g, int reg, long v, boolean a32) {
        g[reg] = a32 ? v & 0xFFFF_FFFFL : v;
    }
}

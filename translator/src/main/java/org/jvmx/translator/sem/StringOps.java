package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * The string instructions MOVS, STOS, LODS, SCAS, CMPS, INS and OUTS with REP/REPE/REPNE
 * (SDM Vol. 1, 7.3.9; Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). rSI/rDI/rCX are used at the
 * address size (SI/DI/CX, ESI/EDI/ECX or RSI/RDI/RCX); the source is DS:rSI unless a segment
 * prefix overrides it, the destination is always ES:rDI. Outside 64-bit mode each access is
 * checked against its segment's limit and type (#GP(0), or #SS(0) through an SS override;
 * SDM Vol. 3A, 5.3-5.6), in 64-bit mode only FS/GS add a base. A REP loop runs here to its end; a fault in iteration k leaves
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
        int asize = i.addressSize();
        long amask = Operands.mask(asize);
        long step = c.state.df() ? -bytes : bytes;
        // The source is DS:rSI unless overridden; the destination is always ES:rDI (SDM Vol. 1, 3.7.5).
        int src = sourceSegment(i);
        int dst = CpuState.ES;
        long[] g = c.gpr;
        boolean rep = i.hasRep() || i.hasRepne();
        boolean compare = kind == Kind.SCAS || kind == Kind.CMPS;
        // For SCAS/CMPS, F3 repeats while equal and F2 while not equal.
        boolean whileEqual = i.hasRep();
        while (true) {
            if (rep && (g[CpuState.RCX] & amask) == 0) return;
            long rsi = g[CpuState.RSI] & amask, rdi = g[CpuState.RDI] & amask;
            // Every access is checked (segment limit and type outside 64-bit mode, #GP(0)) before
            // this iteration changes anything.
            switch (kind) {
                case MOVS -> {
                    long v = c.readData(src, rsi, bytes);
                    c.writeData(dst, rdi, bytes, v);
                    advance(g, CpuState.RSI, rsi + step, asize);
                    advance(g, CpuState.RDI, rdi + step, asize);
                }
                case STOS -> {
                    c.writeData(dst, rdi, bytes, g[CpuState.RAX]);
                    advance(g, CpuState.RDI, rdi + step, asize);
                }
                case LODS -> {
                    long v = c.readData(src, rsi, bytes);
                    Operands.writeGpr(g, CpuState.RAX, bytes * 8, v);
                    advance(g, CpuState.RSI, rsi + step, asize);
                }
                case SCAS -> {
                    long v = c.readData(dst, rdi, bytes);
                    c.flags.sub(bytes * 8, g[CpuState.RAX], v);
                    advance(g, CpuState.RDI, rdi + step, asize);
                }
                case CMPS -> {
                    long s = c.readData(src, rsi, bytes);
                    long d = c.readData(dst, rdi, bytes);
                    c.flags.sub(bytes * 8, s, d);
                    advance(g, CpuState.RSI, rsi + step, asize);
                    advance(g, CpuState.RDI, rdi + step, asize);
                }
                case INS -> {
                    c.probeWriteData(dst, rdi, bytes);
                    long v = c.sensitive.in(c, i, (int) (g[CpuState.RDX] & 0xFFFF), bytes);
                    c.writeData(dst, rdi, bytes, v);
                    advance(g, CpuState.RDI, rdi + step, asize);
                }
                case OUTS -> {
                    long v = c.readData(src, rsi, bytes);
                    c.sensitive.out(c, i, (int) (g[CpuState.RDX] & 0xFFFF), bytes, v);
                    advance(g, CpuState.RSI, rsi + step, asize);
                }
            }
            if (!rep) return;
            advance(g, CpuState.RCX, (g[CpuState.RCX] & amask) - 1, asize);
            if (compare && c.flags.zf() != whileEqual) return;
        }
    }

    /** The source segment (ES..GS numbering): the segment-override prefix, else DS. */
    private static int sourceSegment(Instruction i) {
        int p = i.segmentPrefix().ordinal() - Register.ES.ordinal();
        return p >= 0 && p <= CpuState.GS ? p : CpuState.DS;
    }

    /** Writes an index register at the address size: 64 whole, 32 zero-extended, 16 merged into bits 15:0. */
    private static void advance(long[] g, int reg, long v, int asize) {
        Operands.writeGpr(g, reg, asize, v);
    }
}

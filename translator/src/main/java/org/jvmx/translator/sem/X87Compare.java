package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.sem.x87.Float80;
import org.jvmx.translator.sem.x87.Float80Arith;
import org.jvmx.translator.sem.x87.X87Env;

/**
 * x87 comparison and classification (SDM Vol. 1, 8.3.6 and 8.3.7; Vol. 2A FCOM/FCOMP/FCOMPP,
 * FUCOM/FUCOMP/FUCOMPP, FICOM/FICOMP, FCOMI/FCOMIP/FUCOMI/FUCOMIP, FTST, FXAM, FCMOVcc). The
 * FCOM family sets C3 C2 C0; the FCOMI family sets ZF PF CF and clears OF SF AF. An unmasked
 * invalid operation leaves the condition codes (or flags) and the stack as they were.
 */
final class X87Compare {
    private X87Compare() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.FCOM, (c, i) -> fcom(c, i, false, 0, false));
        in.put(Mnemonic.FCOMP, (c, i) -> fcom(c, i, false, 1, false));
        in.put(Mnemonic.FCOMPP, (c, i) -> fcom(c, i, false, 2, false));
        in.put(Mnemonic.FUCOM, (c, i) -> fcom(c, i, true, 0, false));
        in.put(Mnemonic.FUCOMP, (c, i) -> fcom(c, i, true, 1, false));
        in.put(Mnemonic.FUCOMPP, (c, i) -> fcom(c, i, true, 2, false));
        in.put(Mnemonic.FICOM, (c, i) -> fcom(c, i, false, 0, true));
        in.put(Mnemonic.FICOMP, (c, i) -> fcom(c, i, false, 1, true));
        in.put(Mnemonic.FTST, (c, i) -> fcom(c, i, false, 0, false));
        in.put(Mnemonic.FCOMI, (c, i) -> fcomi(c, i, false, false));
        in.put(Mnemonic.FCOMIP, (c, i) -> fcomi(c, i, false, true));
        in.put(Mnemonic.FUCOMI, (c, i) -> fcomi(c, i, true, false));
        in.put(Mnemonic.FUCOMIP, (c, i) -> fcomi(c, i, true, true));
        in.put(Mnemonic.FXAM, X87Compare::fxam);
        in.put(Mnemonic.FCMOVB, (c, i) -> fcmov(c, i, 0x2));
        in.put(Mnemonic.FCMOVE, (c, i) -> fcmov(c, i, 0x4));
        in.put(Mnemonic.FCMOVBE, (c, i) -> fcmov(c, i, 0x6));
        in.put(Mnemonic.FCMOVU, (c, i) -> fcmov(c, i, 0xA));
        in.put(Mnemonic.FCMOVNB, (c, i) -> fcmov(c, i, 0x3));
        in.put(Mnemonic.FCMOVNE, (c, i) -> fcmov(c, i, 0x5));
        in.put(Mnemonic.FCMOVNBE, (c, i) -> fcmov(c, i, 0x7));
        in.put(Mnemonic.FCMOVNU, (c, i) -> fcmov(c, i, 0xB));
    }

    /** FCOM family: ST(0) against ST(i) (ST(1) by default), memory, or 0.0 (FTST); then {@code pops} pops. */
    private static void fcom(Cpu c, Instruction i, boolean quiet, int pops, boolean integer) {
        FpuState f = X87Stack.begin(c, i);
        X87Env env = X87Stack.env(f);
        Float80 b;
        boolean empty = X87Stack.empty(f, 0);
        if (i.operandCount() > 0 && i.operandKind(0) == OperandKind.MEMORY) {
            long a = X87Stack.address(c, i);
            b = X87LoadStore.readOperand(c, i, a, integer, env);
            X87LoadStore.denormalSourceAgainst(env, X87Stack.get(f, 0));
            X87Stack.recordPointers(c, f, i, a);
        } else if (i.mnemonic() == Mnemonic.FTST) {
            X87Stack.recordPointers(c, f, i, -1);
            b = Float80.ZERO;
        } else {
            int s = i.operandCount() > 1 ? X87Stack.stIndex(i, 1) : 1;
            X87Stack.recordPointers(c, f, i, -1);
            empty |= X87Stack.empty(f, s);
            b = X87Stack.get(f, s);
        }
        // the codes are set (unordered) even when an unmasked IE stops the pops (measured on this host)
        if (empty) {
            boolean stop = X87Stack.underflowStops(f);
            X87Stack.compareCodes(f, Float80Arith.UNORDERED);
            if (stop) return;
        } else {
            int r = Float80Arith.compare(env, X87Stack.get(f, 0), b, quiet);
            X87Stack.finish(f, env);
            X87Stack.compareCodes(f, r);
            if (X87Stack.blocked(env)) return;
        }
        for (int k = 0; k < pops; k++) X87Stack.pop(f);
    }

    private static final long CF = 1, PF = 4, ZF = 0x40;

    private static void fcomi(Cpu c, Instruction i, boolean quiet, boolean pop) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        int s = X87Stack.stIndex(i, 1);
        int r;
        boolean stop;
        if (X87Stack.empty(f, 0) || X87Stack.empty(f, s)) {
            stop = X87Stack.underflowStops(f);
            r = Float80Arith.UNORDERED;
        } else {
            X87Env env = X87Stack.env(f);
            r = Float80Arith.compare(env, X87Stack.get(f, 0), X87Stack.get(f, s), quiet);
            env.roundedUp = (f.fsw & X87Stack.C1) != 0; // C1 is left as it was (measured on this host)
            X87Stack.finish(f, env);
            stop = X87Stack.blocked(env);
        }
        // the flags are set (unordered) even when an unmasked IE stops the pop (measured on this host)
        c.flags.setDirect(switch (r) {
            case Float80Arith.GREATER -> 0;
            case Float80Arith.LESS -> CF;
            case Float80Arith.EQUAL -> ZF;
            default -> ZF | PF | CF;
        });
        if (pop && !stop) X87Stack.pop(f);
    }

    /** FXAM: C1 the sign, C3 C2 C0 the class (SDM Vol. 2A, FXAM, Table 3-43). */
    private static void fxam(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        Float80 v = X87Stack.get(f, 0);
        int cc;
        if (X87Stack.empty(f, 0)) cc = X87Stack.C3 | X87Stack.C0;
        else cc = switch (v.kind()) {
            case UNSUPPORTED -> 0;
            case NAN -> X87Stack.C0;
            case NORMAL -> X87Stack.C2;
            case INFINITY -> X87Stack.C2 | X87Stack.C0;
            case ZERO -> X87Stack.C3;
            case DENORMAL -> X87Stack.C3 | X87Stack.C2;
        };
        f.fsw = f.fsw & ~X87Stack.CC | cc | (v.negative() ? X87Stack.C1 : 0);
    }

    /** FCMOVcc: ST(0) = ST(i) when the condition (cc as in Jcc) holds. */
    private static void fcmov(Cpu c, Instruction i, int cc) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        int s = X87Stack.stIndex(i, 1);
        boolean take = c.flags.condition(cc);
        if (X87Stack.empty(f, 0) || X87Stack.empty(f, s)) {
            // masked: the indefinite, whether or not the condition holds (measured on this host)
            if (!X87Stack.underflowStops(f)) X87Stack.set(f, 0, Float80.INDEFINITE);
            return;
        }
        // C1 is left as it was (measured on this host; the SDM calls it undefined)
        if (take) X87Stack.set(f, 0, X87Stack.get(f, s));
    }
}

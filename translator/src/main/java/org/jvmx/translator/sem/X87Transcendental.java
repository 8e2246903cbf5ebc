package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.sem.x87.Float80;
import org.jvmx.translator.sem.x87.Float80Transcendental;
import org.jvmx.translator.sem.x87.X87Env;

/**
 * x87 transcendental instructions (SDM Vol. 2A FSIN, FCOS, FSINCOS, FPTAN, FPATAN, FYL2X,
 * FYL2XP1, F2XM1): the stack effects, C2 for a trigonometric operand of 2^63 or more (left
 * unchanged), and the exceptions; the values come from {@link Float80Transcendental}.
 */
final class X87Transcendental {
    private X87Transcendental() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.FSIN, (c, i) -> trig(c, i, 0, false));
        in.put(Mnemonic.FCOS, (c, i) -> trig(c, i, 1, false));
        in.put(Mnemonic.FPTAN, (c, i) -> trig(c, i, 2, true));
        in.put(Mnemonic.FSINCOS, X87Transcendental::fsincos);
        in.put(Mnemonic.F2XM1, (c, i) -> X87Arith.unary(c, i, (e, a, b) -> Float80Transcendental.f2xm1(e, a)));
        in.put(Mnemonic.FPATAN, (c, i) -> binaryPop(c, i, 0));
        in.put(Mnemonic.FYL2X, (c, i) -> binaryPop(c, i, 1));
        in.put(Mnemonic.FYL2XP1, (c, i) -> binaryPop(c, i, 2));
    }

    /** FSIN/FCOS, and FPTAN ({@code pushOne}: 1.0 pushed after the tangent). */
    private static void trig(Cpu c, Instruction i, int which, boolean pushOne) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        f.fsw &= ~X87Stack.C2; // set again only for an operand out of range
        if (pushOne) {
            if (X87Stack.replaceAndPushFaults(f)) return;
        } else if (X87Stack.empty(f, 0)) {
            if (X87Stack.underflowStops(f)) return;
            X87Stack.set(f, 0, Float80.INDEFINITE);
            return;
        }
        Float80 x = X87Stack.get(f, 0);
        if (Float80Transcendental.outOfRange(x)) {
            f.fsw |= X87Stack.C2;
            return;
        }
        X87Env env = X87Stack.env(f);
        Float80 r = Float80Transcendental.trig(env, x, which);
        X87Stack.finish(f, env);
        if (X87Stack.blocked(env)) return;
        X87Stack.set(f, 0, r);
        if (pushOne) X87Stack.push(f, r.isNaN() ? r : Float80.ONE);
    }

    /** FSINCOS: ST(0) = sin, then cos pushed. */
    private static void fsincos(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        f.fsw &= ~X87Stack.C2; // set again only for an operand out of range
        if (X87Stack.replaceAndPushFaults(f)) return;
        Float80 x = X87Stack.get(f, 0);
        if (Float80Transcendental.outOfRange(x)) {
            f.fsw |= X87Stack.C2;
            return;
        }
        X87Env es = X87Stack.env(f), ec = new X87Env(f.fcw); // two at once: the second is not the CPU's
        Float80 s = Float80Transcendental.trig(es, x, 0), co = Float80Transcendental.trig(ec, x, 1);
        es.flags |= ec.flags;
        es.roundedUp = ec.roundedUp; // C1 tells of the cosine, the last result (measured on this host)
        X87Stack.finish(f, es);
        if (X87Stack.blocked(es)) return;
        X87Stack.set(f, 0, s);
        X87Stack.push(f, co);
    }

    /** FPATAN (0), FYL2X (1), FYL2XP1 (2): ST(1) = f(ST(1), ST(0)), then pop. */
    private static void binaryPop(Cpu c, Instruction i, int which) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        if (X87Stack.empty(f, 0) || X87Stack.empty(f, 1)) {
            if (X87Stack.underflowStops(f)) return;
            X87Stack.set(f, 1, Float80.INDEFINITE);
            X87Stack.pop(f);
            return;
        }
        X87Env env = X87Stack.env(f);
        Float80 y = X87Stack.get(f, 1), x = X87Stack.get(f, 0);
        Float80 r = switch (which) {
            case 0 -> Float80Transcendental.patan(env, y, x);
            case 1 -> Float80Transcendental.yl2x(env, y, x);
            default -> Float80Transcendental.yl2xp1(env, y, x);
        };
        X87Stack.finish(f, env);
        if (X87Stack.blocked(env)) return;
        X87Stack.set(f, 1, r);
        X87Stack.pop(f);
    }
}

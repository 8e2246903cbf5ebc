package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.sem.x87.Float80;
import org.jvmx.translator.sem.x87.Float80Arith;
import org.jvmx.translator.sem.x87.X87Env;

/**
 * x87 basic arithmetic (SDM Vol. 1, 8.3.5; Vol. 2A FADD ... FDIVR, FSQRT, FRNDINT, FSCALE,
 * FXTRACT, FPREM, FPREM1, FABS, FCHS). The forms: one memory operand (ST(0) op m32/m64 float or
 * m16/m32 integer), {@code ST(0), ST(i)} and {@code ST(i), ST(0)} (the first operand is the
 * destination), and the popping forms. An empty source is a stack underflow whose masked
 * response is the indefinite in the destination; an unmasked IE, DE or ZE leaves the
 * destination and the stack unchanged.
 */
final class X87Arith {
    private X87Arith() {
    }

    interface Op {
        Float80 apply(X87Env env, Float80 a, Float80 b);
    }

    static void install(Isa.Installer in) {
        final int add = ADD, sub = SUB, mul = MUL, div = DIV;
        in.put(Mnemonic.FADD, (c, i) -> binary(c, i, add, false, false, false));
        in.put(Mnemonic.FADDP, (c, i) -> binary(c, i, add, false, false, true));
        in.put(Mnemonic.FIADD, (c, i) -> binary(c, i, add, false, true, false));
        in.put(Mnemonic.FSUB, (c, i) -> binary(c, i, sub, false, false, false));
        in.put(Mnemonic.FSUBP, (c, i) -> binary(c, i, sub, false, false, true));
        in.put(Mnemonic.FISUB, (c, i) -> binary(c, i, sub, false, true, false));
        in.put(Mnemonic.FSUBR, (c, i) -> binary(c, i, sub, true, false, false));
        in.put(Mnemonic.FSUBRP, (c, i) -> binary(c, i, sub, true, false, true));
        in.put(Mnemonic.FISUBR, (c, i) -> binary(c, i, sub, true, true, false));
        in.put(Mnemonic.FMUL, (c, i) -> binary(c, i, mul, false, false, false));
        in.put(Mnemonic.FMULP, (c, i) -> binary(c, i, mul, false, false, true));
        in.put(Mnemonic.FIMUL, (c, i) -> binary(c, i, mul, false, true, false));
        in.put(Mnemonic.FDIV, (c, i) -> binary(c, i, div, false, false, false));
        in.put(Mnemonic.FDIVP, (c, i) -> binary(c, i, div, false, false, true));
        in.put(Mnemonic.FIDIV, (c, i) -> binary(c, i, div, false, true, false));
        in.put(Mnemonic.FDIVR, (c, i) -> binary(c, i, div, true, false, false));
        in.put(Mnemonic.FDIVRP, (c, i) -> binary(c, i, div, true, false, true));
        in.put(Mnemonic.FIDIVR, (c, i) -> binary(c, i, div, true, true, false));
        in.put(Mnemonic.FSQRT, (c, i) -> unary(c, i, (e, a, b) -> Float80Arith.sqrt(e, a)));
        in.put(Mnemonic.FRNDINT, (c, i) -> unary(c, i, (e, a, b) -> Float80Arith.roundToInteger(e, a)));
        in.put(Mnemonic.FABS, (c, i) -> sign(c, i, false));
        in.put(Mnemonic.FCHS, (c, i) -> sign(c, i, true));
        in.put(Mnemonic.FSCALE, X87Arith::fscale);
        in.put(Mnemonic.FXTRACT, X87Arith::fxtract);
        in.put(Mnemonic.FPREM, (c, i) -> fprem(c, i, false));
        in.put(Mnemonic.FPREM1, (c, i) -> fprem(c, i, true));
    }

    /** The binary operations, dispatched by a switch: direct calls where an interface call would be megamorphic. */
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    private static Float80 apply(int op, X87Env env, Float80 a, Float80 b) {
        return switch (op) {
            case ADD -> Float80Arith.add(env, a, b);
            case SUB -> Float80Arith.sub(env, a, b);
            case MUL -> Float80Arith.mul(env, a, b);
            default -> Float80Arith.div(env, a, b);
        };
    }

    static void binary(Cpu c, Instruction i, int op, boolean reverse, boolean integer, boolean pop) {
        FpuState f = X87Stack.begin(c, i);
        X87Env env = X87Stack.env(f);
        int dst, src = -1, bits = 0;
        long raw = 0;
        if (i.operandKind(0) == OperandKind.MEMORY) {
            long a = X87Stack.address(c, i);
            bits = i.memBits();
            raw = Operands.readMem(c, i, a, bits / 8);
            X87Stack.recordPointers(c, f, i, a);
            dst = 0;
        } else {
            dst = X87Stack.stIndex(i, 0);
            src = X87Stack.stIndex(i, 1);
            X87Stack.recordPointers(c, f, i, -1);
        }
        boolean empty = X87Stack.empty(f, dst) || src >= 0 && X87Stack.empty(f, src);
        if (empty) {
            if (X87Stack.underflowStops(f)) return;
            X87Stack.set(f, dst, Float80.INDEFINITE);
            if (pop) X87Stack.pop(f);
            return;
        }
        if (!normalOperands(f, env, op, reverse, integer, dst, src, raw, bits)) {
            Float80 x = X87Stack.get(f, dst), y;
            if (src >= 0) {
                y = X87Stack.get(f, src);
            } else {
                y = X87LoadStore.convert(raw, bits, integer, env);
                X87LoadStore.denormalSourceAgainst(env, x);
            }
            Float80 r = reverse ? apply(op, env, y, x) : apply(op, env, x, y);
            env.resultSe = r.se();
            env.resultSig = r.sig();
        }
        X87Stack.finish(f, env);
        if (X87Stack.blocked(env)) return;
        X87Stack.set(f, dst, env.resultSe, env.resultSig);
        if (pop) X87Stack.pop(f);
    }

    /**
     * The common case without objects: both operands normal (a memory operand: a normal float or a
     * non-zero integer), so no special operand rule applies (SDM Vol. 1, 4.8.3, 8.5) and the
     * result is the rounded one, in {@code env.resultSe/resultSig}. False when it does not apply.
     */
    private static boolean normalOperands(FpuState f, X87Env env, int op, boolean reverse, boolean integer, int dst, int src,
            long raw, int bits) {
        int rx = f.physical(dst);
        int xSe = f.signExponent[rx] & 0xFFFF, ySe;
        long xSig = f.mantissa[rx], ySig;
        if (src >= 0) {
            int ry = f.physical(src);
            ySe = f.signExponent[ry] & 0xFFFF;
            ySig = f.mantissa[ry];
        } else if (integer) {
            long v = Operands.signExtend(raw, bits);
            if (v == 0) return false;
            long m = v < 0 ? -v : v; // Long.MIN_VALUE stays 2^63 as an unsigned magnitude
            int lz = Long.numberOfLeadingZeros(m);
            ySe = (v < 0 ? 0x8000 : 0) | (Float80.BIAS + 63 - lz);
            ySig = m << lz;
        } else if (bits == 64) {
            int e = (int) (raw >>> 52) & 0x7FF;
            if (e == 0 || e == 0x7FF) return false;
            ySe = (int) (raw >>> 48) & 0x8000 | (e - 1023 + Float80.BIAS);
            ySig = Float80.INT_BIT | raw << 11;
        } else {
            int e = (int) (raw >>> 23) & 0xFF;
            if (e == 0 || e == 0xFF) return false;
            ySe = (int) (raw >>> 16) & 0x8000 | (e - 127 + Float80.BIAS);
            ySig = Float80.INT_BIT | (raw & 0x7F_FFFFL) << 40;
        }
        if (!Float80.isNormal(xSe, xSig) || !Float80.isNormal(ySe, ySig)) return false;
        if (reverse) {
            int t = xSe;
            long ts = xSig;
            xSe = ySe;
            xSig = ySig;
            ySe = t;
            ySig = ts;
        }
        switch (op) {
            case ADD -> Float80Arith.addFinite(env, xSe, xSig, ySe, ySig);
            case SUB -> Float80Arith.addFinite(env, xSe, xSig, ySe ^ 0x8000, ySig);
            case MUL -> Float80Arith.mulFinite(env, xSe, xSig, ySe, ySig);
            default -> Float80Arith.divFinite(env, xSe, xSig, ySe, ySig);
        }
        return true;
    }
    /** ST(0) = op(ST(0)). */
    static void unary(Cpu c, Instruction i, Op op) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        if (X87Stack.empty(f, 0)) {
            if (!X87Stack.underflowStops(f)) X87Stack.set(f, 0, Float80.INDEFINITE);
            return;
        }
        X87Env env = X87Stack.env(f);
        Float80 r = op.apply(env, X87Stack.get(f, 0), null);
        X87Stack.finish(f, env);
        if (!X87Stack.blocked(env)) X87Stack.set(f, 0, r);
    }

    /** FABS/FCHS: only the sign changes, whatever the operand (SDM Vol. 2A: no exceptions but stack underflow). */
    private static void sign(Cpu c, Instruction i, boolean flip) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        if (X87Stack.empty(f, 0)) {
            if (!X87Stack.underflowStops(f)) X87Stack.set(f, 0, Float80.INDEFINITE);
            return;
        }
        Float80 v = X87Stack.get(f, 0);
        X87Stack.set(f, 0, flip ? v.negate() : v.abs());
        f.fsw &= ~X87Stack.C1;
    }

    private static void fscale(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        if (X87Stack.empty(f, 0) || X87Stack.empty(f, 1)) {
            if (!X87Stack.underflowStops(f)) X87Stack.set(f, 0, Float80.INDEFINITE);
            return;
        }
        X87Env env = X87Stack.env(f);
        Float80 r = Float80Arith.scale(env, X87Stack.get(f, 0), X87Stack.get(f, 1));
        X87Stack.finish(f, env);
        if (!X87Stack.blocked(env)) X87Stack.set(f, 0, r);
    }

    /** FXTRACT: ST(0) becomes the exponent, then the significand is pushed (SDM Vol. 2A, FXTRACT). */
    private static void fxtract(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        if (X87Stack.replaceAndPushFaults(f)) return;
        X87Env env = X87Stack.env(f);
        Float80[] r = Float80Arith.extract(env, X87Stack.get(f, 0));
        X87Stack.finish(f, env);
        if (r == null || X87Stack.blocked(env)) return;
        X87Stack.set(f, 0, r[0]);
        X87Stack.push(f, r[1]);
    }

    /** FPREM/FPREM1: C2 set for an incomplete reduction, else C0 C3 C1 = quotient bits 2, 1, 0. */
    private static void fprem(Cpu c, Instruction i, boolean ieee) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        if (X87Stack.empty(f, 0) || X87Stack.empty(f, 1)) {
            f.fsw &= ~X87Stack.C2; // C0 and C3 stay (measured on this host)
            if (!X87Stack.underflowStops(f)) X87Stack.set(f, 0, Float80.INDEFINITE);
            return;
        }
        X87Env env = X87Stack.env(f);
        int[] q = new int[1];
        int codesBefore = f.fsw & (X87Stack.C0 | X87Stack.C3);
        Float80 r = Float80Arith.remainder(env, X87Stack.get(f, 0), X87Stack.get(f, 1), ieee, q);
        X87Stack.finish(f, env);
        // no quotient: C0 and C3 stay, C1 and C2 are cleared (measured on this host)
        if (q[0] == -2) f.fsw = f.fsw & ~X87Stack.CC | codesBefore;
        if (X87Stack.blocked(env)) return;
        X87Stack.set(f, 0, r);
        if (q[0] == -2) return;
        int cc;
        if (q[0] < 0) cc = X87Stack.C2;
        else cc = ((q[0] & 4) != 0 ? X87Stack.C0 : 0) | ((q[0] & 2) != 0 ? X87Stack.C3 : 0) | ((q[0] & 1) != 0 ? X87Stack.C1 : 0);
        f.fsw = f.fsw & ~X87Stack.CC | cc;
    }
}

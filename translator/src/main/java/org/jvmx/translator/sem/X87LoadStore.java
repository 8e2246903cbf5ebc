package org.jvmx.translator.sem;

import java.math.BigInteger;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.sem.x87.Float80;
import org.jvmx.translator.sem.x87.Float80Convert;
import org.jvmx.translator.sem.x87.Float80Round;
import org.jvmx.translator.sem.x87.X87Env;

/**
 * x87 data transfer (SDM Vol. 1, 8.3.3 and 8.3.4; Vol. 2A FLD, FST/FSTP, FILD, FIST/FISTP,
 * FISTTP, FBLD, FBSTP, FXCH, FLD1...FLDZ): loads push, stores convert per FCW.RC, a stack
 * overflow or underflow gets the IE/SF response, and memory is written before the status word
 * and the stack change so a page fault leaves the FPU as it was.
 */
final class X87LoadStore {
    private X87LoadStore() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.FLD, X87LoadStore::fld);
        in.put(Mnemonic.FILD, X87LoadStore::fild);
        in.put(Mnemonic.FBLD, X87LoadStore::fbld);
        in.put(Mnemonic.FST, (c, i) -> fst(c, i, false));
        in.put(Mnemonic.FSTP, (c, i) -> fst(c, i, true));
        in.put(Mnemonic.FSTPNCE, X87LoadStore::fstpnce);
        in.put(Mnemonic.FIST, (c, i) -> fist(c, i, false, false));
        in.put(Mnemonic.FISTP, (c, i) -> fist(c, i, true, false));
        in.put(Mnemonic.FISTTP, (c, i) -> fist(c, i, true, true));
        in.put(Mnemonic.FBSTP, X87LoadStore::fbstp);
        in.put(Mnemonic.FXCH, X87LoadStore::fxch);
        in.put(Mnemonic.FLD1, (c, i) -> constant(c, i, ONE));
        in.put(Mnemonic.FLDZ, (c, i) -> constant(c, i, null));
        in.put(Mnemonic.FLDPI, (c, i) -> constant(c, i, PI));
        in.put(Mnemonic.FLDL2E, (c, i) -> constant(c, i, L2E));
        in.put(Mnemonic.FLDL2T, (c, i) -> constant(c, i, L2T));
        in.put(Mnemonic.FLDLG2, (c, i) -> constant(c, i, LG2));
        in.put(Mnemonic.FLDLN2, (c, i) -> constant(c, i, LN2));
    }

    /** Reads an x87 memory operand as a value: float32/64/80 or (integer) int16/32/64. */
    static Float80 readOperand(Cpu c, Instruction i, long a, boolean integer, X87Env env) {
        int bits = i.memBits();
        if (bits == 80) {
            long sig = Operands.readMem(c, i, a, 8);
            return new Float80((int) Operands.readMem(c, i, a + 8, 2), sig);
        }
        return convert(Operands.readMem(c, i, a, bits / 8), bits, integer, env);
    }

    /** A float32/64 or (integer) int16/32/64 memory operand's bits as a value (a float load raises DE/IE in env). */
    static Float80 convert(long raw, int bits, boolean integer, X87Env env) {
        if (integer) return Float80Convert.fromLong(Operands.signExtend(raw, bits));
        return bits == 32 ? Float80Convert.fromSingle(env, (int) raw) : Float80Convert.fromDouble(env, raw);
    }

    /** A denormal float32/64 source raised DE while loading; a NaN (or unsupported) ST(0) takes precedence over it. */
    static void denormalSourceAgainst(X87Env env, Float80 st0) {
        Float80.Kind k = st0.kind();
        if (k == Float80.Kind.NAN || k == Float80.Kind.UNSUPPORTED) env.flags &= ~X87Env.DE;
    }

    private static void fld(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Env env = X87Stack.env(f);
        Float80 v;
        long a = -1;
        if (i.operandKind(0) == OperandKind.MEMORY) {
            a = X87Stack.address(c, i);
            v = readOperand(c, i, a, false, env);
        } else {
            int s = X87Stack.stIndex(i, 0);
            v = X87Stack.empty(f, s) ? null : X87Stack.get(f, s);
        }
        X87Stack.recordPointers(c, f, i, a);
        if (X87Stack.pushOverflows(f)) {
            X87Stack.pushChecked(f, Float80.INDEFINITE);
            return;
        }
        if (v == null) {
            if (X87Stack.underflowStops(f)) return;
            v = Float80.INDEFINITE;
        }
        X87Stack.finish(f, env);
        // only an unmasked IE stops a load: a denormal is loaded (normalized) even with DE unmasked (measured on this host)
        if ((env.flags & ~env.masks & X87Env.IE) != 0) return;
        X87Stack.push(f, v);
    }

    private static void fild(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        long a = X87Stack.address(c, i);
        Float80 v = readOperand(c, i, a, true, null);
        X87Stack.recordPointers(c, f, i, a);
        X87Stack.pushValue(f, v);
    }

    private static void fbld(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        long a = X87Stack.address(c, i);
        long low = Operands.readMem(c, i, a, 8);
        int high = (int) Operands.readMem(c, i, a + 8, 2);
        X87Stack.recordPointers(c, f, i, a);
        X87Stack.pushValue(f, Float80Convert.fromBcd(low, high));
    }

    private static void fst(Cpu c, Instruction i, boolean pop) {
        FpuState f = X87Stack.begin(c, i);
        X87Env env = X87Stack.env(f);
        boolean underflow = X87Stack.empty(f, 0);
        if (underflow && (f.fcw & X87Env.IE) == 0) {
            X87Stack.stackFault(f, false);
            return;
        }
        Float80 v = underflow ? Float80.INDEFINITE : X87Stack.get(f, 0);
        if (i.operandKind(0) == OperandKind.MEMORY) {
            long a = X87Stack.address(c, i);
            switch (i.memBits()) {
                case 32 -> {
                    int bits = Float80Convert.toSingle(env, v);
                    if (Float80Convert.storeBlocked(env)) break;
                    Operands.writeMem(c, i, a, 4, bits);
                }
                case 64 -> {
                    long bits = Float80Convert.toDouble(env, v);
                    if (Float80Convert.storeBlocked(env)) break;
                    Operands.writeMem(c, i, a, 8, bits);
                }
                default -> {
                    Operands.probeWriteMem(c, i, a, 10);
                    Operands.writeMem(c, i, a, 8, v.sig());
                    Operands.writeMem(c, i, a + 8, 2, v.se());
                }
            }
            X87Stack.recordPointers(c, f, i, a);
        } else {
            X87Stack.recordPointers(c, f, i, -1);
            X87Stack.set(f, X87Stack.stIndex(i, 0), v);
        }
        if (underflow) {
            X87Stack.stackFault(f, false);
        } else {
            X87Stack.finish(f, env);
            if (Float80Convert.storeBlocked(env)) return;
        }
        if (pop) X87Stack.pop(f);
    }

    /**
     * FSTPNCE (D9 D8+i, the FSTP alias): ST(i) = ST(0), register and tag, without the empty
     * check; then pop. An empty ST(0) raises nothing and leaves ST(i) empty (measured on this host).
     */
    private static void fstpnce(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        int s = X87Stack.stIndex(i, 0);
        boolean empty = X87Stack.empty(f, 0);
        X87Stack.set(f, s, X87Stack.get(f, 0));
        if (empty) f.ftw |= 3 << 2 * f.physical(s);
        f.fsw &= ~X87Stack.C1;
        X87Stack.pop(f);
    }

    private static void fist(Cpu c, Instruction i, boolean pop, boolean truncate) {
        FpuState f = X87Stack.begin(c, i);
        X87Env env = X87Stack.env(f);
        boolean underflow = X87Stack.empty(f, 0);
        if (underflow && (f.fcw & X87Env.IE) == 0) {
            X87Stack.stackFault(f, false);
            return;
        }
        int bits = i.memBits();
        long a = X87Stack.address(c, i);
        long v = underflow ? Long.MIN_VALUE >> (64 - bits) : Float80Convert.toInteger(env, X87Stack.get(f, 0), bits, truncate);
        if ((env.flags & ~env.masks & X87Env.IE) == 0) Operands.writeMem(c, i, a, bits / 8, v);
        X87Stack.recordPointers(c, f, i, a);
        if (underflow) {
            X87Stack.stackFault(f, false);
        } else {
            X87Stack.finish(f, env);
            if ((env.flags & ~env.masks & X87Env.IE) != 0) return;
        }
        if (pop) X87Stack.pop(f);
    }

    private static void fbstp(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Env env = X87Stack.env(f);
        boolean underflow = X87Stack.empty(f, 0);
        if (underflow && (f.fcw & X87Env.IE) == 0) {
            X87Stack.stackFault(f, false);
            return;
        }
        long a = X87Stack.address(c, i);
        long[] v = underflow ? new long[] {0xC000_0000_0000_0000L, 0xFFFF} : Float80Convert.toBcd(env, X87Stack.get(f, 0));
        boolean stop = (env.flags & ~env.masks & (X87Env.IE | X87Env.DE)) != 0;
        if (!stop) {
            Operands.probeWriteMem(c, i, a, 10);
            Operands.writeMem(c, i, a, 8, v[0]);
            Operands.writeMem(c, i, a + 8, 2, v[1]);
        }
        X87Stack.recordPointers(c, f, i, a);
        if (underflow) X87Stack.stackFault(f, false);
        else X87Stack.finish(f, env);
        if (!stop) X87Stack.pop(f);
    }

    private static void fxch(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        int s = X87Stack.stIndex(i, 1);
        boolean e0 = X87Stack.empty(f, 0), es = X87Stack.empty(f, s);
        if (e0 || es) {
            if (X87Stack.underflowStops(f)) return;
        } else {
            f.fsw &= ~X87Stack.C1;
        }
        Float80 a = e0 ? Float80.INDEFINITE : X87Stack.get(f, 0), b = es ? Float80.INDEFINITE : X87Stack.get(f, s);
        X87Stack.set(f, 0, b);
        X87Stack.set(f, s, a);
    }

    // The constants to 128 bits: significand bits, and the unbiased exponent of the leading bit;
    // rounded once per rounding control (they raise nothing).
    private record Constant(BigInteger mag, int lead, Float80[] rounded) {
        Constant(String hex, int lead) {
            this(new BigInteger(hex, 16), lead, new Float80[4]);
            for (int rc = 0; rc < 4; rc++) {
                X87Env env = new X87Env(rc << 10 | 0x3F, 64);
                rounded[rc] = Float80Round.pack80(Float80Round.round(env, false, mag, lead - mag.bitLength() + 1,
                        Float80Round.extended(64), true));
            }
        }
    }

    private static final Constant ONE = new Constant("1", 0);
    private static final Constant PI = new Constant("C90FDAA22168C234C4C6628B80DC1CD1", 1);
    private static final Constant L2E = new Constant("B8AA3B295C17F0BBBE87FED0691D3E89", 0);
    private static final Constant L2T = new Constant("D49A784BCD1B8AFE492BF6FF4DAFDB4C", 1);
    private static final Constant LG2 = new Constant("9A209A84FBCFF7988F8959AC0B7C9178", -2);
    private static final Constant LN2 = new Constant("B17217F7D1CF79ABC9E3B39803F2F6AF", -1);

    /** FLD1/FLDL2T/.../FLDZ: the constant rounded to 64 bits per FCW.RC (SDM Vol. 1, 8.3.8); no exception but stack overflow. */
    private static void constant(Cpu c, Instruction i, Constant k) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        X87Stack.pushValue(f, k == null ? Float80.ZERO : k.rounded()[f.fcw >>> 10 & 3]);
    }
}

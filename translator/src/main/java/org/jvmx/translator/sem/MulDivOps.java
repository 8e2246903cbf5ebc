package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * Multiplication and division (SDM Vol. 2A/2B: MUL, IMUL, DIV, IDIV; BMI2 MULX). The one-operand
 * forms use the accumulator pair: AX = AL * r/m8, else rDX:rAX. DIV/IDIV raise #DE for a zero
 * divisor and for a quotient that does not fit the destination, before writing anything; their
 * flags are all undefined.
 */
final class MulDivOps {
    private MulDivOps() {
    }

    private static final int RAX = 0, RDX = 2;

    static void install(Isa.Installer in) {
        in.put(Mnemonic.MUL, (c, i) -> wide(c, i, false));
        in.put(Mnemonic.IMUL, MulDivOps::imul);
        in.put(Mnemonic.DIV, MulDivOps::div);
        in.put(Mnemonic.IDIV, MulDivOps::idiv);
        // MULX Gy(high), By(low), Ey: rDX * r/m unsigned, no flags; with both destinations equal the high half wins
        in.put(Mnemonic.MULX, (c, i) -> {
            int bits = i.operandBits(0);
            long b = Operands.read(c, i, 2);
            long a = c.gpr[RDX];
            long lo, hi;
            if (bits == 64) {
                lo = a * b;
                hi = Math.unsignedMultiplyHigh(a, b);
            } else {
                long p = (a & 0xFFFF_FFFFL) * (b & 0xFFFF_FFFFL);
                lo = p;
                hi = p >>> 32;
            }
            Operands.writeReg(c.gpr, i.register(1), lo);
            Operands.writeReg(c.gpr, i.register(0), hi);
        });
    }

    private static void imul(Cpu c, Instruction i) {
        int n = i.operandCount();
        if (n == 1) {
            wide(c, i, true);
            return;
        }
        int bits = i.operandBits(0);
        long a = n == 2 ? Operands.readReg(c.gpr, i.register(0)) : Operands.read(c, i, 1);
        long b = Operands.read(c, i, n - 1);
        Operands.writeReg(c.gpr, i.register(0), c.flags.imul(bits, a, b));
    }

    /** One-operand MUL/IMUL: AX = AL * src, or rDX:rAX = rAX * src. */
    private static void wide(Cpu c, Instruction i, boolean signed) {
        int bits = i.operandBits(0);
        long src = Operands.read(c, i, 0);
        LazyFlags f = c.flags;
        long lo = signed ? f.imul(bits, c.gpr[RAX], src) : f.mul(bits, c.gpr[RAX], src);
        long hi = f.high();
        if (bits == 8) {
            Operands.writeGpr(c.gpr, RAX, 16, hi << 8 | lo);
        } else {
            Operands.writeGpr(c.gpr, RAX, bits, lo);
            Operands.writeGpr(c.gpr, RDX, bits, hi);
        }
    }

    private static void div(Cpu c, Instruction i) {
        int bits = i.operandBits(0);
        long d = Operands.read(c, i, 0);
        if (d == 0) throw GuestFault.divideError();
        long[] g = c.gpr;
        long q, r;
        switch (bits) {
            case 8 -> {
                long n = g[RAX] & 0xFFFF;
                q = n / d;
                r = n % d;
                if (q > 0xFF) throw GuestFault.divideError();
                Operands.writeGpr(g, RAX, 16, r << 8 | q);
                undefinedFlags(c);
                return;
            }
            case 16, 32 -> {
                long n = (g[RDX] & Operands.mask(bits)) << bits | (g[RAX] & Operands.mask(bits));
                q = Long.divideUnsigned(n, d);
                r = Long.remainderUnsigned(n, d);
                if ((q >>> bits) != 0) throw GuestFault.divideError();
            }
            default -> {
                long hi = g[RDX], lo = g[RAX];
                if (Long.compareUnsigned(hi, d) >= 0) throw GuestFault.divideError();
                q = divideUnsigned128(hi, lo, d);
                r = lo - q * d;
            }
        }
        Operands.writeGpr(g, RAX, bits, q);
        Operands.writeGpr(g, RDX, bits, r);
        undefinedFlags(c);
    }

    private static void idiv(Cpu c, Instruction i) {
        int bits = i.operandBits(0);
        long d = Operands.signExtend(Operands.read(c, i, 0), bits);
        if (d == 0) throw GuestFault.divideError();
        long[] g = c.gpr;
        long q, r;
        if (bits == 8) {
            long n = (short) g[RAX];
            q = n / d;
            r = n % d;
            if (q != (byte) q) throw GuestFault.divideError();
            Operands.writeGpr(g, RAX, 16, (r & 0xFF) << 8 | (q & 0xFF));
            undefinedFlags(c);
            return;
        }
        if (bits < 64) {
            long n = (g[RDX] & Operands.mask(bits)) << bits | (g[RAX] & Operands.mask(bits));
            if (bits == 16) n = (int) n;
            if (n == Long.MIN_VALUE && d == -1) throw GuestFault.divideError();
            q = n / d;
            r = n % d;
            if (q != Operands.signExtend(q, bits)) throw GuestFault.divideError();
        } else {
            long hi = g[RDX], lo = g[RAX];
            boolean negN = hi < 0, negD = d < 0;
            if (negN) { // |RDX:RAX| as an unsigned 128-bit value
                lo = -lo;
                hi = ~hi + (lo == 0 ? 1 : 0);
            }
            long ad = negD ? -d : d; // 2^63 stays representable as unsigned
            if (Long.compareUnsigned(hi, ad) >= 0) throw GuestFault.divideError();
            long uq = divideUnsigned128(hi, lo, ad);
            long ur = lo - uq * ad;
            if (negN != negD) {
                if (Long.compareUnsigned(uq, Long.MIN_VALUE) > 0) throw GuestFault.divideError();
                q = -uq;
            } else {
                if (uq < 0) throw GuestFault.divideError();
                q = uq;
            }
            r = negN ? -ur : ur;
        }
        Operands.writeGpr(g, RAX, bits, q);
        Operands.writeGpr(g, RDX, bits, r);
        undefinedFlags(c);
    }

    /** SDM: "The CF, OF, SF, ZF, AF, and PF flags are undefined" after DIV/IDIV; their values are kept. */
    private static void undefinedFlags(Cpu c) {
        c.flags.setDirect(c.flags.rflags(), LazyFlags.STATUS);
    }

    /**
     * The quotient of the unsigned 128-bit hi:lo by v, for hi < v (unsigned) so that it fits 64 bits:
     * long division by 32-bit digits of the normalized divisor (Knuth, TAOCP 4.3.1, algorithm D).
     */
    static long divideUnsigned128(long hi, long lo, long v) {
        if (hi == 0) return Long.divideUnsigned(lo, v);
        final long b = 1L << 32;
        int s = Long.numberOfLeadingZeros(v);
        v <<= s;
        long vn1 = v >>> 32, vn0 = v & 0xFFFF_FFFFL;
        long un32 = s == 0 ? hi : hi << s | lo >>> (64 - s);
        long un10 = lo << s;
        long un1 = un10 >>> 32, un0 = un10 & 0xFFFF_FFFFL;
        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = un32 - q1 * vn1;
        while (Long.compareUnsigned(q1, b) >= 0 || Long.compareUnsigned(q1 * vn0, b * rhat + un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, b) >= 0) break;
        }
        long un21 = un32 * b + un1 - q1 * v;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, b) >= 0 || Long.compareUnsigned(q0 * vn0, b * rhat + un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, b) >= 0) break;
        }
        return q1 * b + q0;
    }
}

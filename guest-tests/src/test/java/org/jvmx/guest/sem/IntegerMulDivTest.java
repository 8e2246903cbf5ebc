package org.jvmx.guest.sem;

import static org.jvmx.guest.host.HostState.*;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV and MULX against the host CPU: every
 * size, register and memory sources, edge values; #DE for a zero divisor and for quotient
 * overflow (including the most negative dividend divided by -1), with nothing written.
 */
class IntegerMulDivTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        IntegerArithTest.Kit k = new IntegerArithTest.Kit(0x3d10_0003L);
        for (int bits : IntegerArithTest.Kit.SIZES) {
            for (int n = 0; n < 40; n++) {
                k.add("mul " + k.c(bits));
                k.add("mul " + k.mem(bits));
                k.add("imul " + k.c(bits));
                k.add("imul " + k.mem(bits));
                if (bits > 8) {
                    k.add("imul " + k.a(bits) + ", " + k.c(bits));
                    k.add("imul " + k.r9(bits) + ", " + k.mem(bits));
                    k.add("imul " + k.d(bits) + ", " + k.c(bits) + ", " + k.imm(bits));
                    k.add("imul " + k.d(bits) + ", " + k.mem(bits) + ", " + k.imm(8));
                }
            }
            for (String op : new String[] { "div", "idiv" }) {
                for (int n = 0; n < 80; n++) {
                    // a divisor of random magnitude and a dividend high half that mostly fits
                    HostState s = k.state();
                    long rdx = k.r.nextInt(3) == 0 ? s.gpr(RDX) : k.r.nextInt(2) == 0 ? 0 : -1;
                    if (op.equals("idiv") && k.r.nextBoolean()) rdx = s.gpr(RAX) < 0 ? -1 : 0;
                    if (bits == 8) s = s.withGpr(RAX, k.value(16));
                    else s = s.withGpr(RDX, rdx);
                    long div = k.r.nextInt(8) == 0 ? 0 : k.value(bits);
                    s = s.withGpr(RCX, div).withGpr(R9, k.value(bits));
                    k.add(op + " " + k.c(bits), s);
                    k.add(op + " " + k.mem(bits), s);
                }
                String a = k.a(bits);
                long min = 1L << (bits - 1);
                // the most negative dividend by -1, zero, 1, small quotients
                k.add("mov " + k.c(bits) + ", -1\n" + op + " " + k.c(bits),
                        k.state().withGpr(RAX, bits == 8 ? 0xFF80 : min).withGpr(RDX, bits == 8 ? 0 : -1));
                k.add("xor ecx, ecx\n" + op + " " + k.c(bits), k.state());
                k.add("mov ecx, 1\nxor edx, edx\n" + op + " " + k.c(bits), k.state());
                k.add("mov ecx, 7\n" + (bits == 8 ? "movsx ax, al" : "cqo") + "\n" + op + " " + k.c(bits),
                        k.state().withGpr(RAX, -1000));
                k.add("mov " + a + ", -7\nmov " + k.c(bits) + ", 2\n" + (bits == 8 ? "cbw" : bits == 16 ? "cwd" : bits == 32 ? "cdq" : "cqo")
                        + "\n" + op + " " + k.c(bits));
            }
        }
        // dividends whose quotient fits: the full-width paths (RDX:RAX / divisor with RDX != 0)
        for (int bits : new int[] { 16, 32, 64 }) {
            BigInteger mod = BigInteger.ONE.shiftLeft(bits);
            for (int n = 0; n < 120; n++) {
                boolean signed = n % 2 == 1;
                long d = k.value(bits);
                BigInteger dv = signed ? BigInteger.valueOf(signExtend(d, bits)) : new BigInteger(Long.toUnsignedString(d & mask(bits)));
                if (dv.signum() == 0) continue;
                // quotient of random width (up to the full size), remainder smaller than the divisor
                int qBits = 1 + k.r.nextInt(bits - 1);
                BigInteger q = new BigInteger(qBits, new java.util.Random(k.r.nextLong()));
                if (signed && k.r.nextBoolean()) q = q.negate();
                BigInteger rem = new BigInteger(bits, new java.util.Random(k.r.nextLong())).mod(dv.abs());
                if (signed && q.signum() < 0) rem = rem.negate();
                BigInteger dividend = q.multiply(dv).add(rem);
                BigInteger twice = dividend.mod(mod.multiply(mod));
                long lo = twice.mod(mod).longValue(), hi = twice.shiftRight(bits).longValue();
                HostState s = k.state().withGpr(RCX, d);
                s = s.withGpr(RAX, (s.gpr(RAX) & ~mask(bits)) | (lo & mask(bits)))
                        .withGpr(RDX, (s.gpr(RDX) & ~mask(bits)) | (hi & mask(bits)));
                k.add((signed ? "idiv " : "div ") + k.c(bits), s);
            }
        }
        for (int bits : new int[] { 32, 64 }) {
            for (int n = 0; n < 40; n++) {
                k.add("mulx " + k.a(bits) + ", " + k.r9(bits) + ", " + k.c(bits));
                k.add("mulx " + k.a(bits) + ", " + k.b(bits) + ", " + k.mem(bits));
            }
            k.add("mulx " + k.a(bits) + ", " + k.a(bits) + ", " + k.c(bits));
        }
        return k.cases();
    }

    private static long mask(int bits) { return bits == 64 ? -1L : (1L << bits) - 1; }

    private static long signExtend(long v, int bits) { return v << (64 - bits) >> (64 - bits); }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}

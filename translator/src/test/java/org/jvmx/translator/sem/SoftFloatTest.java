package org.jvmx.translator.sem;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * SoftFloat against the JVM's IEEE arithmetic (round to nearest) and against exact BigDecimal
 * bounds for the directed modes; MXCSR commit rules. The host-CPU differential tests in
 * guest-tests are the real oracle; these catch regressions without the native harness.
 */
class SoftFloatTest {
    static final SoftFloatFormat F32 = SoftFloatFormat.F32, F64 = SoftFloatFormat.F64;

    static Mxcsr env(int rc) {
        return new Mxcsr(0x1F80 | rc << 13);
    }

    static double randomDouble(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> r.nextGaussian() * Math.scalb(1.0, r.nextInt(40) - 20);
            case 2 -> Math.scalb(r.nextDouble() + 1, r.nextInt(2098) - 1074) * (r.nextBoolean() ? 1 : -1);
            default -> Math.scalb(r.nextDouble(), -1022 - r.nextInt(30));
        };
    }

    static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    static long bits(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }

    /** NaN results differ in payload rules from the JVM's; compare non-NaN results bit for bit. */
    static void sameOrBothNaN(double expected, long actual, String what) {
        if (Double.isNaN(expected)) assertTrue(F64.isNaN(actual), what);
        else assertEquals(bits(expected), actual, what);
    }

    @Test
    void doubleArithmeticMatchesTheJvmInRoundToNearest() {
        Random r = new Random(1);
        for (int n = 0; n < 200_000; n++) {
            double a = randomDouble(r), b = randomDouble(r);
            String w = a + " " + b;
            sameOrBothNaN(a + b, SoftFloat.add(F64, bits(a), bits(b), env(0)), "add " + w);
            sameOrBothNaN(a - b, SoftFloat.sub(F64, bits(a), bits(b), env(0)), "sub " + w);
            sameOrBothNaN(a * b, SoftFloat.mul(F64, bits(a), bits(b), env(0)), "mul " + w);
            sameOrBothNaN(a / b, SoftFloat.div(F64, bits(a), bits(b), env(0)), "div " + w);
            sameOrBothNaN(Math.sqrt(a), SoftFloat.sqrt(F64, bits(a), env(0)), "sqrt " + w);
        }
    }

    @Test
    void singleArithmeticMatchesTheJvmInRoundToNearest() {
        Random r = new Random(2);
        for (int n = 0; n < 200_000; n++) {
            float a = Float.intBitsToFloat(r.nextInt()), b = Float.intBitsToFloat(r.nextInt());
            if (n % 3 == 0) b = a * (1 + r.nextFloat() * 1e-3f);
            String w = a + " " + b;
            long[] got = {SoftFloat.add(F32, bits(a), bits(b), env(0)), SoftFloat.mul(F32, bits(a), bits(b), env(0)),
                SoftFloat.div(F32, bits(a), bits(b), env(0)), SoftFloat.sqrt(F32, bits(a), env(0))};
            float[] want = {a + b, a * b, a / b, (float) Math.sqrt(a)};
            for (int k = 0; k < 4; k++) {
                if (Float.isNaN(want[k])) assertTrue(F32.isNaN(got[k]), k + " " + w);
                else assertEquals(bits(want[k]), got[k], k + " " + w);
            }
            assertEquals(bits((double) a), Double.isNaN(a) ? bits((double) a) : SoftFloat.convert(F32, F64, bits(a), env(0)));
            if (!Double.isNaN(a)) assertEquals(bits((float) (double) a), SoftFloat.convert(F64, F32, bits((double) a), env(0)));
        }
    }

    @Test
    void directedModesBracketTheExactResult() {
        Random r = new Random(3);
        for (int n = 0; n < 20_000; n++) {
            double a = r.nextGaussian() * Math.scalb(1.0, r.nextInt(20)), b = r.nextGaussian();
            BigDecimal exact = new BigDecimal(a).multiply(new BigDecimal(b));
            double down = Double.longBitsToDouble(SoftFloat.mul(F64, bits(a), bits(b), env(Mxcsr.RD)));
            double up = Double.longBitsToDouble(SoftFloat.mul(F64, bits(a), bits(b), env(Mxcsr.RU)));
            double zero = Double.longBitsToDouble(SoftFloat.mul(F64, bits(a), bits(b), env(Mxcsr.RZ)));
            assertTrue(new BigDecimal(down).compareTo(exact) <= 0 && new BigDecimal(up).compareTo(exact) >= 0);
            assertTrue(up == down || Math.nextUp(down) == up);
            assertEquals(Math.abs(zero), Math.min(Math.abs(up), Math.abs(down)));
            BigDecimal q = new BigDecimal(a).divide(new BigDecimal(b), MathContext.DECIMAL128);
            double qd = Double.longBitsToDouble(SoftFloat.div(F64, bits(a), bits(b), env(Mxcsr.RD)));
            double qu = Double.longBitsToDouble(SoftFloat.div(F64, bits(a), bits(b), env(Mxcsr.RU)));
            assertTrue(qu == qd || Math.nextUp(qd) == qu);
            assertTrue(new BigDecimal(qd).compareTo(q.add(q.abs().ulp())) <= 0 && new BigDecimal(qu).compareTo(q.subtract(q.abs().ulp())) >= 0);
        }
    }

    @Test
    void flagsOfTheClassicCases() {
        Mxcsr m = env(0);
        SoftFloat.div(F64, bits(1.0), bits(0.0), m);
        assertEquals(Mxcsr.ZE, m.flags);
        m = env(0);
        assertEquals(F64.indefinite, SoftFloat.sub(F64, F64.inf(false), F64.inf(false), m));
        assertEquals(Mxcsr.IE, m.flags);
        m = env(0);
        assertEquals(F64.inf(false), SoftFloat.mul(F64, bits(Double.MAX_VALUE), bits(2.0), m));
        assertEquals(Mxcsr.OE | Mxcsr.PE, m.flags);
        m = env(Mxcsr.RZ);
        assertEquals(bits(Double.MAX_VALUE), SoftFloat.mul(F64, bits(Double.MAX_VALUE), bits(2.0), m));
        m = env(0);
        assertEquals(bits(Double.MIN_VALUE), SoftFloat.mul(F64, bits(Double.MIN_NORMAL), bits(0x1p-52), m));
        assertEquals(0, m.flags, "exact tiny results raise no UE while masked");
        m = new Mxcsr(0x1F80 | Mxcsr.FTZ_BIT);
        assertEquals(0, SoftFloat.mul(F64, bits(Double.MIN_NORMAL), bits(0.5), m));
        assertEquals(Mxcsr.UE | Mxcsr.PE, m.flags);
        m = new Mxcsr(0x1F80 | Mxcsr.DAZ_BIT);
        assertEquals(bits(1.0), SoftFloat.add(F64, bits(1.0), 1, m));
        assertEquals(0, m.flags);
        m = env(0);
        assertEquals(0x8000_0000L, SoftFloat.toInt(F32, bits(3e9f), 32, 0, m) & 0xFFFF_FFFFL);
        assertEquals(Mxcsr.IE, m.flags);
        m = env(0);
        assertEquals(F32.quiet(0x7F800001L), SoftFloat.add(F32, 0x7F800001L, 0x7FC00005L, m), "first source's NaN, quieted");
        assertEquals(Mxcsr.IE, m.flags);
    }

    @Test
    void unmaskedExceptionIsXmOrUdWithoutOsxmmexcpt() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = Cpu.flat64(ram, false);
            c.state.mxcsr = 0x1F80 & ~(1 << 9); // ZE unmasked
            Mxcsr m = Mxcsr.of(c);
            SoftFloat.div(F64, bits(1.0), bits(0.0), m);
            GuestFault f = assertThrows(GuestFault.class, () -> m.commit(c));
            assertEquals(GuestFault.XM, f.vector());
            assertEquals(0x1F80 & ~(1 << 9) | Mxcsr.ZE, c.state.mxcsr);
            c.state.cr4 &= ~Cpu.CR4_OSXMMEXCPT;
            Mxcsr m2 = Mxcsr.of(c);
            SoftFloat.div(F64, bits(1.0), bits(0.0), m2);
            assertEquals(GuestFault.UD, assertThrows(GuestFault.class, () -> m2.commit(c)).vector());
        }
    }
}

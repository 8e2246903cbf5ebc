package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.X87Cases.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * x87 data transfer against the host: FLD/FST/FSTP with m32/m64/m80 and ST(i), FILD/FIST/FISTP/
 * FISTTP with m16/m32/m64, FBLD/FBSTP, the seven constants under every rounding control, FXCH,
 * and stack overflow/underflow with IE masked and unmasked.
 */
class X87LoadStoreTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        Random r = new Random(0x5787);
        List<Spec> s = new ArrayList<>();
        String[] stores = {"fst dword ptr [rbx+128]", "fst qword ptr [rbx+128]", "fstp dword ptr [rbx+128]",
                "fstp qword ptr [rbx+128]", "fstp tbyte ptr [rbx+128]", "fist word ptr [rbx+128]",
                "fist dword ptr [rbx+128]", "fistp word ptr [rbx+128]", "fistp dword ptr [rbx+128]",
                "fistp qword ptr [rbx+128]", "fisttp word ptr [rbx+128]", "fisttp dword ptr [rbx+128]",
                "fisttp qword ptr [rbx+128]", "fbstp tbyte ptr [rbx+128]", "fst st(1)", "fstp st(1)", "fst st(0)",
                "fstp st(0)"};
        for (String st : stores) {
            for (int k = 0; k < 150; k++) {
                byte[] d = data(FCWS[k % FCWS.length]);
                long[] v = k % 3 == 0 ? integral(r) : value80(r);
                put80(d, A, v);
                s.add(new Spec("fldcw [rbx]\nfld1\nfld tbyte ptr [rbx+16]\n" + st, d));
            }
        }
        String[] loads = {"fld dword ptr [rbx+56]", "fld qword ptr [rbx+48]", "fld tbyte ptr [rbx+16]",
                "fild word ptr [rbx+64]", "fild dword ptr [rbx+72]", "fild qword ptr [rbx+80]", "fbld tbyte ptr [rbx+96]"};
        for (String ld : loads) {
            for (int k = 0; k < 150; k++) {
                byte[] d = data(FCWS[k % FCWS.length]);
                long[] v = value80(r);
                put80(d, A, v);
                put(d, M64, k % 4 == 0 ? r.nextLong() : double64(r), 8);
                put(d, M32, k % 4 == 0 ? r.nextInt() : float32(r), 4);
                put(d, I16, r.nextLong() >> r.nextInt(64), 8);
                put(d, I32, r.nextLong() >> r.nextInt(64), 8);
                put(d, I64, r.nextLong() >> r.nextInt(64), 8);
                long bcd = 0;
                for (int q = 0; q < 16; q++) bcd |= (long) r.nextInt(10) << (4 * q);
                put(d, BCD, bcd, 8);
                put(d, BCD + 8, r.nextInt(100) / 10 << 4 | r.nextInt(10) | (r.nextBoolean() ? 0x8000 : 0), 2);
                s.add(new Spec("fldcw [rbx]\n" + ld, d));
            }
        }
        for (String c : new String[] {"fld1", "fldz", "fldpi", "fldl2e", "fldl2t", "fldlg2", "fldln2"}) {
            for (int fcw : FCWS) s.add(new Spec("fldcw [rbx]\n" + c, data(fcw)));
        }
        // register moves and exchanges, with empty registers
        for (String op : new String[] {"fld st(0)", "fld st(1)", "fld st(3)", "fxch st(1)", "fxch st(2)", "fxch st(4)",
                "fst st(2)", "fstp st(2)", "fstp st(5)", ".byte 0xd9, 0xd9"}) {
            for (int fcw : new int[] {0x37F, 0x37E}) {
                byte[] d = data(fcw);
                put80(d, A, value80(r));
                s.add(new Spec("fldcw [rbx]\nfldpi\nfld tbyte ptr [rbx+16]\nfld1\n" + op, d));
                s.add(new Spec("fldcw [rbx]\n" + op, d));
            }
        }
        // stack overflow: nine pushes; underflow: stores and loads of empty registers
        for (int fcw : new int[] {0x37F, 0x37E}) {
            s.add(new Spec("fldcw [rbx]\n" + "fld1\n".repeat(8) + "fldz", data(fcw)));
            s.add(new Spec("fldcw [rbx]\n" + "fld1\n".repeat(8) + "fild dword ptr [rbx+72]", data(fcw)));
            s.add(new Spec("fldcw [rbx]\n" + "fld1\n".repeat(8) + "fld dword ptr [rbx+56]", data(fcw)));
            s.add(new Spec("fldcw [rbx]\n" + "fld1\n".repeat(8) + "fld st(3)", data(fcw)));
            s.add(new Spec("fldcw [rbx]\nfstp qword ptr [rbx+128]", data(fcw)));
            s.add(new Spec("fldcw [rbx]\nfistp dword ptr [rbx+128]", data(fcw)));
            s.add(new Spec("fldcw [rbx]\nfst st(1)", data(fcw)));
            s.add(new Spec("fldcw [rbx]\nfbstp tbyte ptr [rbx+128]", data(fcw)));
        }
        return build(s);
    }

    /** Values near integers and integer-range limits, for the integer stores. */
    static long[] integral(Random r) {
        int e = 0x3FFF + r.nextInt(66);
        long m = r.nextLong() | 1L << 63;
        if (r.nextBoolean()) m &= -1L << Math.max(0, 63 - (e - 0x3FFF) - r.nextInt(3));
        return new long[] {m, (r.nextBoolean() ? 0x8000 : 0) | e};
    }

    static long double64(Random r) {
        long[] v = value80(r);
        int e = (int) (v[1] & 0x7FFF);
        long sign = (v[1] & 0x8000) != 0 ? 1L << 63 : 0;
        int e64 = e == 0x7FFF ? 0x7FF : e == 0 ? 0 : Math.max(0, Math.min(0x7FE, e - 0x3FFF + 1023));
        return sign | (long) e64 << 52 | (v[0] << 1 >>> 12);
    }

    static int float32(Random r) {
        long[] v = value80(r);
        int e = (int) (v[1] & 0x7FFF);
        int sign = (v[1] & 0x8000) != 0 ? 1 << 31 : 0;
        int e32 = e == 0x7FFF ? 0xFF : e == 0 ? 0 : Math.max(0, Math.min(0xFE, e - 0x3FFF + 127));
        return sign | e32 << 23 | (int) (v[0] << 1 >>> 41);
    }

    @Test
    void matchesHost() {
        X87Cases.assertMatchesHost(cases());
    }
}

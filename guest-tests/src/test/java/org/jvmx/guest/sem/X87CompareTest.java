package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.X87Cases.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * x87 comparisons against the host: FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/FUCOMPP, FICOM/FICOMP with
 * m16/m32, FCOM with m32/m64, FTST and FXAM (C0-C3 through FNSTSW AX and the image), FCOMI/FCOMIP/
 * FUCOMI/FUCOMIP (RFLAGS), and the eight FCMOVcc under every flag combination they read.
 */
class X87CompareTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        Random r = new Random(0xC0);
        List<Spec> s = new ArrayList<>();
        String[] ops = {"fcom st(1)", "fcomp st(1)", "fcompp", "fucom st(1)", "fucomp st(1)", "fucompp",
                "fcom dword ptr [rbx+56]", "fcomp qword ptr [rbx+48]", "ficom word ptr [rbx+64]",
                "ficomp dword ptr [rbx+72]", "ftst", "fxam", "fcomi st, st(1)", "fcomip st, st(1)",
                "fucomi st, st(1)", "fucomip st, st(1)", "fcom st(3)", "fucomi st, st(4)"};
        for (String op : ops) {
            for (int k = 0; k < 120; k++) {
                byte[] d = data(k % 5 == 4 ? 0x37E : 0x37F);
                long[][] p = closePair(r);
                if (k % 7 == 0) p[1] = p[0].clone();
                if (k % 11 == 0) p[1] = new long[] {p[0][0], p[0][1] ^ 0x8000};
                put80(d, A, p[0]);
                put80(d, B, p[1]);
                put(d, M64, X87LoadStoreTest.double64(r), 8);
                put(d, M32, X87LoadStoreTest.float32(r), 4);
                put(d, I16, r.nextInt(5) - 2, 2);
                put(d, I32, r.nextInt(), 4);
                String load = k % 13 == 12 ? "fld tbyte ptr [rbx+16]\n" : "fld tbyte ptr [rbx+32]\nfld tbyte ptr [rbx+16]\n";
                s.add(new Spec("fldcw [rbx]\n" + load + op + "\nfnstsw ax", d));
            }
        }
        String[] cmov = {"fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"};
        List<HostCase> out = new ArrayList<>(build(s));
        List<Spec> m = new ArrayList<>();
        for (String op : cmov) {
            byte[] d = data(0x37F);
            put80(d, A, value80(r));
            m.add(new Spec("fldcw [rbx]\nfldpi\nfld tbyte ptr [rbx+16]\nfld1\n" + op + " st, st(2)", d));
            m.add(new Spec("fldcw [rbx]\nfld1\n" + op + " st, st(2)", d));
        }
        for (HostCase c : build(m)) {
            for (long f : new long[] {0, 1, 4, 0x40, 0x41, 0x44, 0x45, 5}) out.add(new HostCase(c.state().withRflags(f), c.code()));
        }
        return out;
    }

    @Test
    void matchesHost() {
        X87Cases.assertMatchesHost(cases());
    }
}

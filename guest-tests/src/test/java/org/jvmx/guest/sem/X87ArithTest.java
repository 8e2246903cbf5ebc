package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * The x87 arithmetic core, bit for bit against the host: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR (and
 * their popping forms), FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1 on edge-class and random
 * double-extended operands under every rounding and precision control, masked and unmasked
 * exceptions; the FXSAVE image compares the result, FSW (flags, C0-C3, ES, TOP) and the tags.
 */
class X87ArithTest implements DirectedCases {
    static final String LOAD = "fldcw [rbx]\nfld tbyte ptr [rbx+32]\nfld tbyte ptr [rbx+16]\n";
    static final String[] BINARY = {"fadd st, st(1)", "fsub st, st(1)", "fsubr st, st(1)", "fmul st, st(1)",
            "fdiv st, st(1)", "fdivr st, st(1)", "fadd st(1), st", "fsub st(1), st", "fsubr st(1), st",
            "fmul st(1), st", "fdiv st(1), st", "fdivr st(1), st", "faddp st(1), st", "fsubp st(1), st",
            "fsubrp st(1), st", "fmulp st(1), st", "fdivp st(1), st", "fdivrp st(1), st"};
    static final String[] UNARY = {"fsqrt", "frndint", "fscale", "fxtract", "fprem", "fprem1"};

    @Override
    public List<HostCase> cases() {
        Random r = new Random(0x87);
        List<X87Cases.Spec> specs = new ArrayList<>();
        for (String op : BINARY) add(specs, r, op, op.startsWith("fadd st,") || op.startsWith("fmul st,") || op.startsWith("fdiv st,") ? 250 : 40);
        for (String op : UNARY) add(specs, r, op, 200);
        // FPREM loops to completion as libm's fmod does
        for (int k = 0; k < 100; k++) {
            long[][] p = X87Cases.closePair(r);
            p[1][1] = (p[1][1] & 0x8000) | Math.max(1, (p[0][1] & 0x7FFF) - r.nextInt(200));
            byte[] d = X87Cases.data(X87Cases.FCWS[r.nextInt(12)]);
            X87Cases.put80(d, X87Cases.A, p[0]);
            X87Cases.put80(d, X87Cases.B, p[1]);
            specs.add(new X87Cases.Spec(LOAD + "2: fprem\nfnstsw ax\ntest ah, 4\njnz 2b", d));
        }
        return X87Cases.build(specs);
    }

    private static void add(List<X87Cases.Spec> specs, Random r, String op, int n) {
        for (int k = 0; k < n; k++) {
            int fcw = X87Cases.FCWS[k % X87Cases.FCWS.length];
            long[][] p = X87Cases.closePair(r);
            byte[] d = X87Cases.data(fcw);
            X87Cases.put80(d, X87Cases.A, p[0]);
            X87Cases.put80(d, X87Cases.B, p[1]);
            specs.add(new X87Cases.Spec(LOAD + op, d));
        }
    }

    @Test
    void matchesHost() {
        X87Cases.assertMatchesHost(cases());
    }
}

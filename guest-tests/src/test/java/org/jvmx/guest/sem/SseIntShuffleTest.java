package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseIntInputs.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * SSE2 shifts (by XMM/m128 count and by imm8: counts 0, 1, width-1, width, width+1, 255 and
 * huge 64-bit counts), byte shifts, packs with saturation, unpacks and the imm8 shuffles
 * against the host CPU, in register, aligned-m128 and misaligned-m128 (#GP) forms.
 */
class SseIntShuffleTest implements DirectedCases {
    static final String[] SHIFTS = { "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad" };
    static final int[] WIDTH = { 16, 32, 64, 16, 32, 64, 16, 32 };
    static final String[] WIDE = {
        "packsswb", "packssdw", "packuswb",
        "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq",
        "unpcklps", "unpckhps", "unpcklpd", "unpckhpd",
    };
    static final String[] SHUFFLES = { "pshufd", "pshufhw", "pshuflw", "shufps", "shufpd" };

    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x5F1F7);
        List<String> code = new ArrayList<>();
        List<UnaryOperator<HostState>> tweak = new ArrayList<>();
        for (int s = 0; s < SHIFTS.length; s++) {
            String m = SHIFTS[s];
            int w = WIDTH[s];
            long[] counts = { 0, 1, 2, w / 2, w - 1, w, w + 1, 63, 64, 65, 127, 128, 255,
                    0x100, 0x10000, 0x1_0000_0000L, 0x1_0000_0001L, Long.MIN_VALUE, -1 };
            for (long n : counts) {
                if (n >= 0 && n < 256) add(code, tweak, m + " " + xmm(r) + ", " + n, null);
                // the count in xmm15: its whole low quadword counts, the high quadword does not
                long hi = r.nextLong();
                add(code, tweak, m + " " + xmm(r).replace("xmm15", "xmm14") + ", xmm15", st -> st.withXmm(15, n, hi));
                add(code, tweak, m + " " + xmm(r) + ", xmmword ptr [rbx+0x80]",
                        st -> withQword(withQword(st, MEM + 0x80, n), MEM + 0x88, hi));
            }
            for (int k = 0; k < 25; k++) add(code, tweak, m + " " + xmm(r) + ", " + xmm(r), null);
            for (int k = 0; k < 20; k++) add(code, tweak, m + " " + xmm(r) + ", " + r.nextInt(256), null);
            for (int k = 0; k < 10; k++) add(code, tweak, m + " " + xmm(r) + ", xmmword ptr " + aligned(r), null);
            for (int k = 0; k < 20; k++) {
                long n = r.nextInt(w + 2);
                add(code, tweak, m + " " + xmm(r).replace("xmm15", "xmm14") + ", xmm15", st -> st.withXmm(15, n, r.nextLong()));
            }
            add(code, tweak, m + " " + xmm(r) + ", xmmword ptr " + misaligned(r), null);
        }
        for (String m : new String[] { "pslldq", "psrldq" }) {
            for (int n : new int[] { 0, 1, 3, 7, 8, 9, 15, 16, 17, 128, 255 }) add(code, tweak, m + " " + xmm(r) + ", " + n, null);
        }
        for (String m : WIDE) {
            for (int k = 0; k < 50; k++) add(code, tweak, m + " " + xmm(r) + ", " + xmm(r), null);
            for (int k = 0; k < 20; k++) add(code, tweak, m + " " + xmm(r) + ", xmmword ptr " + aligned(r), null);
            for (int k = 0; k < 2; k++) add(code, tweak, m + " " + xmm(r) + ", xmmword ptr " + misaligned(r), null);
        }
        for (String m : SHUFFLES) {
            for (int imm : new int[] { 0, 0x1b, 0xe4, 0xff, 0x55, 0xaa, 1, 2, 3 }) add(code, tweak, m + " " + xmm(r) + ", " + xmm(r) + ", " + imm, null);
            for (int k = 0; k < 50; k++) add(code, tweak, m + " " + xmm(r) + ", " + xmm(r) + ", " + r.nextInt(256), null);
            for (int k = 0; k < 20; k++) add(code, tweak, m + " " + xmm(r) + ", xmmword ptr " + aligned(r) + ", " + r.nextInt(256), null);
            for (int k = 0; k < 2; k++) add(code, tweak, m + " " + xmm(r) + ", xmmword ptr " + misaligned(r) + ", " + r.nextInt(256), null);
        }
        return SseIntInputs.cases(code, tweak, r);
    }

    private static void add(List<String> code, List<UnaryOperator<HostState>> tweak, String snippet, UnaryOperator<HostState> t) {
        code.add(snippet);
        tweak.add(t);
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}

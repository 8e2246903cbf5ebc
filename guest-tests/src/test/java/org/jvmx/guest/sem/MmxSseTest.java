package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.X87Cases.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * SSE/SSE2/SSSE3 instructions on MMX registers against the host: CVTPI2PS/CVTPI2PD/CVT(T)PS2PI/
 * CVT(T)PD2PI under every MXCSR rounding mode (and #XM unmasked), MASKMOVQ, and the MMX forms of
 * PABSx, PALIGNR, PHADDx/PHSUBx, PMADDUBSW, PMULHRSW, PSHUFB, PSIGNx.
 */
class MmxSseTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        Random r = new Random(0x55);
        List<Spec> s = new ArrayList<>();
        String[] ssse3 = {"pabsb mm1, mm2", "pabsw mm1, qword ptr [rbx+32]", "pabsd mm1, mm2", "palignr mm1, mm2, 3",
                "palignr mm1, mm2, 9", "palignr mm1, qword ptr [rbx+32], 17", "palignr mm1, mm2, 0", "phaddw mm1, mm2",
                "phaddd mm1, mm2", "phaddsw mm1, mm2", "phsubw mm1, qword ptr [rbx+32]", "phsubd mm1, mm2", "phsubsw mm1, mm2",
                "pmaddubsw mm1, mm2", "pmulhrsw mm1, mm2", "pshufb mm1, mm2", "pshufb mm1, qword ptr [rbx+32]",
                "psignb mm1, mm2", "psignw mm1, mm2", "psignd mm1, qword ptr [rbx+32]", "maskmovq mm1, mm2"};
        for (String op : ssse3) {
            for (int k = 0; k < 16; k++) {
                byte[] d = data(0x37F);
                put(d, A, MmxTest.lanes(r), 8);
                put(d, B, MmxTest.lanes(r), 8);
                s.add(new Spec(MmxTest.LOAD + "lea rdi, [rbx+128]\n" + op, d));
            }
        }
        String[] cvt = {"cvtpi2ps xmm1, mm2", "cvtpi2ps xmm1, qword ptr [rbx+32]", "cvtpi2pd xmm1, mm2",
                "cvtpi2pd xmm1, qword ptr [rbx+32]", "cvtps2pi mm1, xmm2", "cvtps2pi mm1, qword ptr [rbx+48]",
                "cvttps2pi mm1, xmm2", "cvtpd2pi mm1, xmm2", "cvtpd2pi mm1, xmmword ptr [rbx+48]", "cvttpd2pi mm1, xmm2",
                "cvtpd2pi mm1, xmmword ptr [rbx+40]"};
        List<Spec> c = new ArrayList<>();
        for (String op : cvt) {
            for (int k = 0; k < 16; k++) {
                byte[] d = data(0x37F);
                put(d, A, MmxTest.lanes(r), 8);
                put(d, B, r.nextLong() >> r.nextInt(64), 8);
                long f = k % 2 == 0 ? Double.doubleToRawLongBits((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(70)))
                        : (long) Float.floatToRawIntBits((float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(40)))) << 32
                          | Float.floatToRawIntBits((float) ((r.nextDouble() - 0.5) * 1e3)) & 0xFFFFFFFFL;
                put(d, M64, f, 8);
                put(d, M64 + 8, Double.doubleToRawLongBits((r.nextDouble() - 0.5) * 1e9), 8);
                c.add(new Spec(MmxTest.LOAD + "movdqu xmm2, [rbx+48]\n" + op, d));
            }
        }
        List<HostCase> out = new ArrayList<>(build(s));
        for (HostCase h : build(c)) {
            for (int mx : new int[] {0x1F80, 0x3F80, 0x5F80, 0x7F80, 0x1F00}) out.add(new HostCase(h.state().withMxcsr(mx), h.code()));
        }
        return out;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}

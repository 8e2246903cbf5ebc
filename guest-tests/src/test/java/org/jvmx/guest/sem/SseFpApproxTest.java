package org.jvmx.guest.sem;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmx.guest.sem.SseFpCases.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.HostState;
import org.jvmx.guest.host.JvmxCpu;
import org.jvmx.translator.exec.Engine;

/**
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS. The hardware result is an implementation-specific approximation
 * (SDM Vol. 2B: relative error at most 1.5 * 2^-12), so this is not a bit-exact differential
 * test: signal, MXCSR, every other register and memory must match the host exactly; in the
 * destination, special results (NaN, infinity, zero) must match bit for bit, and finite ones
 * must lie within the SDM bound of the exact value, as the host's do.
 */
class SseFpApproxTest implements DirectedCases {
    static final double BOUND = 1.5 / 4096;

    @Override
    public List<HostCase> cases() {
        List<Form> forms = List.of(
                new Form("rcpps xmm1, xmm2", F32), new Form("rcpps xmm1, [rbx+0x100]", F32),
                new Form("rcpss xmm1, xmm2", F32), new Form("rcpss xmm1, [rbx+0x104]", F32),
                new Form("rsqrtps xmm1, xmm2", F32), new Form("rsqrtps xmm1, [rbx+0x100]", F32),
                new Form("rsqrtss xmm1, xmm2", F32), new Form("rsqrtss xmm1, [rbx+0x104]", F32),
                new Form("rcpps xmm1, [rbx+0x108]", F32));
        return new SseFpCases(0xA99C).cases(forms, 1000);
    }

    @Test
    void withinTheArchitecturalBound() {
        List<HostCase> cases = cases();
        List<HostResult> host = HostCpu.get().run(cases);
        List<String> bad = new ArrayList<>();
        for (int k = 0; k < cases.size(); k++) {
            HostResult h = host.get(k);
            for (Engine.Tier tier : new Engine.Tier[] {Engine.Tier.INTERPRET, Engine.Tier.COMPILE}) {
                HostResult j = JvmxCpu.run(cases.get(k), tier);
                String why = compare(cases.get(k), h, j);
                if (why != null) bad.add("case " + k + " (" + tier + "): " + why);
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first: " + bad.subList(0, Math.min(10, bad.size())));
    }

    private static String compare(HostCase c, HostResult h, HostResult j) {
        if (h.signal() != j.signal() || h.rip() != j.rip()) return "signal/rip " + h + " vs " + j;
        HostState x = h.state(), y = j.state();
        if (x.mxcsr() != y.mxcsr()) return String.format("mxcsr %#x vs %#x", x.mxcsr(), y.mxcsr());
        for (int r = 0; r < 16; r++) {
            if (x.gpr(r) != y.gpr(r)) return "gpr " + r;
            if (r != 1 && (x.xmmLo(r) != y.xmmLo(r) || x.xmmHi(r) != y.xmmHi(r))) return "xmm" + r;
        }
        for (int lane = 0; lane < 4; lane++) {
            int hb = lane32(x.xmmLo(1), x.xmmHi(1), lane), jb = lane32(y.xmmLo(1), y.xmmHi(1), lane);
            if (hb == jb) continue;
            float hv = Float.intBitsToFloat(hb), jv = Float.intBitsToFloat(jb);
            if (!Float.isFinite(hv) || !Float.isFinite(jv) || hv == 0 || jv == 0) {
                // at the edge of the normal range, one may flush where the other does not
                if ((hv == 0 && Math.abs(jv) < 0x1p-125f) || (jv == 0 && Math.abs(hv) < 0x1p-125f)) continue;
                return String.format("lane %d: %08x vs %08x", lane, hb, jb);
            }
            if (Math.signum(hv) != Math.signum(jv)) return String.format("lane %d sign: %08x vs %08x", lane, hb, jb);
            double rel = Math.abs((double) hv - jv) / Math.abs((double) hv);
            if (rel > 2 * BOUND) return String.format("lane %d: %08x vs %08x (relative %.3g)", lane, hb, jb, rel);
        }
        return null;
    }

    private static int lane32(long lo, long hi, int k) {
        long q = k < 2 ? lo : hi;
        return (int) ((k & 1) == 0 ? q : q >>> 32);
    }
}

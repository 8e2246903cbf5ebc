package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseFpCases.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/** DPPS/DPPD against the host CPU: staged exception checks, every imm8 mask shape. */
class SseFpDotProductTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<Form> forms = new ArrayList<>();
        for (int imm : new int[] {0xFF, 0xF1, 0x31, 0x7F, 0xA5, 0x0F, 0xF0, 0x5A}) {
            forms.add(new Form("dpps xmm1, xmm2, " + imm, F32));
            forms.add(new Form("dpps xmm1, [rbx+0x100], " + imm, F32));
        }
        for (int imm : new int[] {0x33, 0x31, 0x12, 0x23, 0x30, 0x03}) {
            forms.add(new Form("dppd xmm1, xmm2, " + imm, F64));
            forms.add(new Form("dppd xmm1, [rbx+0x100], " + imm, F64));
        }
        forms.add(new Form("dppd xmm1, [rbx+0x104], 0x31", F64));
        return new SseFpCases(0xD07).cases(forms, 400);
    }

    @Test
    void matchesHost() {
        SseFpCheck.assertMatchesHost(cases());
    }
}

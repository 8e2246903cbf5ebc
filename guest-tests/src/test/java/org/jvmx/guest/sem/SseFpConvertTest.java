package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseFpCases.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/** CMPxx, (U)COMISx and the CVT family against the host CPU. */
class SseFpConvertTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<Form> forms = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            forms.add(new Form("cmpps xmm1, xmm2, " + p, F32));
            forms.add(new Form("cmppd xmm1, [rbx+0x100], " + p, F64));
            forms.add(new Form("cmpss xmm1, xmm2, " + p, F32));
            forms.add(new Form("cmpsd xmm1, xmm2, " + p, F64));
        }
        forms.add(new Form("cmpps xmm1, [rbx+0x100], 1", F32));
        forms.add(new Form("cmppd xmm1, xmm2, 6", F64));
        forms.add(new Form("cmpss xmm1, [rbx+0x104], 2", F32));
        forms.add(new Form("cmpsd xmm1, [rbx+0x108], 5", F64));
        for (String op : new String[] {"comiss", "ucomiss"}) {
            forms.add(new Form(op + " xmm1, xmm2", F32));
            forms.add(new Form(op + " xmm1, [rbx+0x104]", F32));
        }
        for (String op : new String[] {"comisd", "ucomisd"}) {
            forms.add(new Form(op + " xmm1, xmm2", F64));
            forms.add(new Form(op + " xmm1, [rbx+0x108]", F64));
        }
        for (String op : new String[] {"cvtsi2ss", "cvtsi2sd"}) {
            forms.add(new Form(op + " xmm1, eax", GPR));
            forms.add(new Form(op + " xmm1, rax", GPR));
            forms.add(new Form(op + " xmm1, dword ptr [rbx+0x100]", GPR));
            forms.add(new Form(op + " xmm1, qword ptr [rbx+0x100]", GPR));
        }
        for (String op : new String[] {"cvtss2si", "cvttss2si"}) {
            forms.add(new Form(op + " eax, xmm2", F32));
            forms.add(new Form(op + " rax, xmm2", F32));
            forms.add(new Form(op + " ecx, dword ptr [rbx+0x104]", F32));
            forms.add(new Form(op + " rcx, dword ptr [rbx+0x100]", F32));
        }
        for (String op : new String[] {"cvtsd2si", "cvttsd2si"}) {
            forms.add(new Form(op + " eax, xmm2", F64));
            forms.add(new Form(op + " rax, xmm2", F64));
            forms.add(new Form(op + " ecx, qword ptr [rbx+0x108]", F64));
            forms.add(new Form(op + " rcx, qword ptr [rbx+0x100]", F64));
        }
        String[][] vec = {
            {"cvtss2sd", "F32"}, {"cvtsd2ss", "F64"}, {"cvtps2pd", "F32"}, {"cvtpd2ps", "F64"}, {"cvtdq2ps", "I32"},
            {"cvtps2dq", "F32"}, {"cvttps2dq", "F32"}, {"cvtdq2pd", "I32"}, {"cvtpd2dq", "F64"}, {"cvttpd2dq", "F64"},
        };
        for (String[] v : vec) {
            int kind = switch (v[1]) { case "F32" -> F32; case "F64" -> F64; default -> I32; };
            forms.add(new Form(v[0] + " xmm1, xmm2", kind));
            forms.add(new Form(v[0] + " xmm1, [rbx+0x100]", kind));
        }
        forms.add(new Form("cvtss2sd xmm1, [rbx+0x104]", F32));
        forms.add(new Form("cvtsd2ss xmm1, [rbx+0x108]", F64));
        forms.add(new Form("cvtps2pd xmm1, [rbx+0x108]", F32));
        forms.add(new Form("cvtdq2pd xmm1, [rbx+0x104]", I32));
        SseFpCases g = new SseFpCases(0xC0417);
        List<HostCase> out = new ArrayList<>(g.cases(forms, 400));
        List<Form> bad = List.of(new Form("cvtpd2ps xmm1, [rbx+0x108]", F64), new Form("cvtdq2ps xmm1, [rbx+0x104]", I32),
                new Form("cmpps xmm1, [rbx+0x108], 0", F32), new Form("cvttps2dq xmm1, [rbx+0x101]", F32));
        out.addAll(g.cases(bad, 2));
        return out;
    }

    @Test
    void matchesHost() {
        SseFpCheck.assertMatchesHost(cases());
    }
}

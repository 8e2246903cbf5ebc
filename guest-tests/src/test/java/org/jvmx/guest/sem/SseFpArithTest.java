package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseFpCases.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/** ADD SUB MUL DIV MIN MAX SQRT (PS PD SS SD), ADDSUB/HADD/HSUB (PS PD) against the host CPU. */
class SseFpArithTest implements DirectedCases {
    static final String[] OPS = {"add", "sub", "mul", "div", "min", "max", "sqrt"};

    @Override
    public List<HostCase> cases() {
        List<Form> forms = new ArrayList<>();
        for (String op : OPS) {
            forms.add(new Form(op + "ps xmm1, xmm2", F32));
            forms.add(new Form(op + "pd xmm1, xmm2", F64));
            forms.add(new Form(op + "ss xmm1, xmm2", F32));
            forms.add(new Form(op + "sd xmm1, xmm2", F64));
            forms.add(new Form(op + "ps xmm1, [rbx+0x100]", F32));
            forms.add(new Form(op + "pd xmm1, [rbx+0x100]", F64));
            forms.add(new Form(op + "ss xmm1, [rbx+0x104]", F32));
            forms.add(new Form(op + "sd xmm1, [rbx+0x108]", F64));
        }
        for (String op : new String[] {"addsub", "hadd", "hsub"}) {
            forms.add(new Form(op + "ps xmm1, xmm2", F32));
            forms.add(new Form(op + "pd xmm1, xmm2", F64));
            forms.add(new Form(op + "ps xmm1, [rbx+0x100]", F32));
            forms.add(new Form(op + "pd xmm1, [rbx+0x100]", F64));
            forms.add(new Form(op + "ps xmm2, xmm2", F32));
        }
        SseFpCases g = new SseFpCases(0x5EF9);
        List<HostCase> out = new ArrayList<>(g.cases(forms, 500));
        // misaligned packed memory operands: #GP(0)
        List<Form> bad = new ArrayList<>();
        for (String op : OPS) {
            bad.add(new Form(op + "ps xmm1, [rbx+0x108]", F32));
            bad.add(new Form(op + "pd xmm1, [rbx+0x104]", F64));
        }
        bad.add(new Form("haddps xmm1, [rbx+0x101]", F32));
        out.addAll(g.cases(bad, 2));
        return out;
    }

    @Test
    void matchesHost() {
        SseFpCheck.assertMatchesHost(cases());
    }
}

package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseFpCases.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/** LDMXCSR/STMXCSR, SSE3 moves, ROUNDxx, BLENDxx against the host CPU. */
class SseFpMiscTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<Form> forms = new ArrayList<>();
        for (int imm : new int[] {0, 1, 2, 3, 4, 8, 9, 10, 11, 12}) {
            forms.add(new Form("roundps xmm1, xmm2, " + imm, F32));
            forms.add(new Form("roundpd xmm1, [rbx+0x100], " + imm, F64));
            forms.add(new Form("roundss xmm1, xmm2, " + imm, F32));
            forms.add(new Form("roundsd xmm1, [rbx+0x108], " + imm, F64));
        }
        forms.add(new Form("roundps xmm1, [rbx+0x100], 4", F32));
        forms.add(new Form("roundpd xmm1, xmm2, 4", F64));
        forms.add(new Form("roundss xmm1, [rbx+0x104], 4", F32));
        forms.add(new Form("roundsd xmm1, xmm2, 4", F64));
        forms.add(new Form("blendps xmm1, xmm2, 5", F32));
        forms.add(new Form("blendps xmm1, [rbx+0x100], 0xE", F32));
        forms.add(new Form("blendpd xmm1, xmm2, 2", F64));
        forms.add(new Form("blendpd xmm1, [rbx+0x100], 1", F64));
        forms.add(new Form("blendvps xmm1, xmm2, xmm0", F32));
        forms.add(new Form("blendvps xmm1, [rbx+0x100], xmm0", F32));
        forms.add(new Form("blendvpd xmm1, xmm2, xmm0", F64));
        forms.add(new Form("blendvpd xmm1, [rbx+0x100], xmm0", F64));
        forms.add(new Form("movshdup xmm1, xmm2", F32));
        forms.add(new Form("movshdup xmm1, [rbx+0x100]", F32));
        forms.add(new Form("movsldup xmm1, xmm2", F32));
        forms.add(new Form("movsldup xmm1, [rbx+0x100]", F32));
        forms.add(new Form("movddup xmm1, xmm2", F64));
        forms.add(new Form("movddup xmm1, [rbx+0x108]", F64));
        forms.add(new Form("lddqu xmm1, [rbx+0x100]", F64));
        forms.add(new Form("lddqu xmm1, [rbx+0x103]", F64));
        forms.add(new Form("addss xmm1, xmm2\nstmxcsr [rbx+0x40]", F32));
        forms.add(new Form("stmxcsr [rbx+0x41]", F32));
        SseFpCases g = new SseFpCases(0x0D15C);
        List<HostCase> out = new ArrayList<>(g.cases(forms, 400));
        List<Form> bad = List.of(new Form("roundps xmm1, [rbx+0x108], 0", F32), new Form("blendvps xmm1, [rbx+0x108], xmm0", F32), new Form("movshdup xmm1, [rbx+0x104]", F32));
        out.addAll(g.cases(bad, 2));
        out.addAll(ldmxcsrCases());
        return out;
    }

    /** LDMXCSR of every interesting bit pattern: reserved bits (31:16) set is #GP(0). */
    static List<HostCase> ldmxcsrCases() {
        byte[] code = Gas.assemble("ldmxcsr [rbx+0x20]\nstmxcsr [rbx+0x24]");
        List<HostCase> out = new ArrayList<>();
        int[] values = {0x1F80, 0, 0xFFFF, 0x7FBF, 0x10000, 0x80001F80, 0x1FBF, 0x6000, 0x8040, 0x003F, 0xFFFF0000};
        for (int v : values) {
            byte[] s = new byte[HostCpu.SCRATCH_SIZE];
            putInt(s, 0x20, v);
            out.add(new HostCase(HostState.initial().withScratch(s).withGpr(HostState.RBX, HostCpu.SCRATCH_BASE), code));
        }
        return out;
    }

    @Test
    void matchesHost() {
        SseFpCheck.assertMatchesHost(cases());
    }
}

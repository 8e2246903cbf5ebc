package org.jvmx.guest.sem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Instruction;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.HostState;
import org.jvmx.guest.host.JvmxCpu;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.CpuidModel;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Sensitive;

/**
 * What the host cannot be asked: SYSCALL (RCX, R11, CS/SS from STAR, RIP from LSTAR, RFLAGS
 * masked by SFMASK, CPL 0; SDM SYSCALL), VMCALL (#UD with no hypervisor, else handed to it),
 * CPUID (the jvmx model's answers) and RDTSC/RDTSCP (the guest TSC with its offset, TSC_AUX).
 * Each runs in jvmx in both tiers.
 */
class SensitiveSemanticsTest implements DirectedCases {
    static final Engine.Tier[] TIERS = {Engine.Tier.INTERPRET, Engine.Tier.COMPILE};
    static final long STAR = 0x0023_0010_0000_0000L; // SYSRET base 0x20, SYSCALL CS 0x10

    static List<String> snippets() {
        return List.of(
                "syscall\nint3\n1: nop\n",                       // LSTAR points at the nop (offset 3)
                "vmcall\n",
                "cpuid\n",
                "rdtsc\n",
                "rdtscp\n");
    }

    @Override
    public List<HostCase> cases() {
        List<HostCase> cases = new ArrayList<>();
        HostState s = HostState.initial().withGpr(HostState.RAX, 0x8000_0001L)
                .withRflags(HostState.CF | HostState.DF | HostState.ZF);
        for (byte[] b : Gas.assemble(snippets())) cases.add(new HostCase(s, b));
        return cases;
    }

    @Test
    void syscallEntersTheKernelAsTheSdmSays() {
        HostCase c = cases().get(0);
        for (Engine.Tier t : TIERS) {
            long[] after = new long[4];
            JvmxCpu.Run r = JvmxCpu.runWithHooks(c, t, cpu -> {
                cpu.state.star = STAR;
                cpu.state.lstar = HostCpu.CODE_BASE + 3;
                cpu.state.fmask = Rflags.DF | Rflags.IF;
            }, cpu -> {
                after[0] = cpu.state.cs.selector();
                after[1] = cpu.state.ss.selector();
                after[2] = cpu.state.cpl();
                after[3] = cpu.state.cs.l() ? 1 : 0;
            });
            HostResult res = r.result();
            assertEquals(0, res.signal(), t + ": " + res);
            assertEquals(HostCpu.CODE_BASE + 2, res.state().gpr(HostState.RCX), "RCX = next RIP");
            long r11 = res.state().gpr(HostState.R11);
            assertEquals(HostState.CF | HostState.DF | HostState.ZF | Rflags.IF | Rflags.FIXED1, r11, "R11 = RFLAGS");
            assertEquals(0, res.state().rflags() & (HostState.DF | Rflags.IF), "SFMASK cleared DF and IF");
            assertTrue((res.state().rflags() & HostState.CF) != 0, "CF kept");
            assertEquals(0x10, after[0]);
            assertEquals(0x18, after[1]);
            assertEquals(0, after[2], "CPL 0");
            assertEquals(1, after[3], "64-bit code segment");
        }
    }

    @Test
    void syscallWithoutSceIsUd() {
        for (Engine.Tier t : TIERS) {
            HostResult r = JvmxCpu.runWithHooks(cases().get(0), t, cpu -> cpu.state.efer &= ~1L, cpu -> { }).result();
            assertEquals(HostResult.SIGILL, r.signal(), t.toString());
            assertEquals(HostCpu.CODE_BASE, r.rip());
        }
    }

    @Test
    void vmcallIsUdOnBareMetalAndReachesAHypervisor() {
        for (Engine.Tier t : TIERS) {
            assertEquals(HostResult.SIGILL, JvmxCpu.run(cases().get(1), t).signal());
            List<String> seen = new ArrayList<>();
            HostResult r = JvmxCpu.runWithHooks(cases().get(1), t, cpu -> cpu.sensitive = new Sensitive() {
                @Override
                public void other(Cpu c, Instruction i) {
                    seen.add(i.mnemonic() + " rax=" + Long.toHexString(c.gpr[CpuState.RAX]));
                    c.gpr[CpuState.RAX] = 42; // a hypercall's answer
                }
            }, cpu -> { }).result();
            assertEquals(List.of("VMCALL rax=80000001"), seen);
            assertEquals(0, r.signal());
            assertEquals(42, r.state().gpr(HostState.RAX));
        }
    }

    @Test
    void cpuidAnswersFromTheModel() {
        int[] want = CpuidModel.query(0x8000_0001, 0);
        for (Engine.Tier t : TIERS) {
            HostState out = JvmxCpu.run(cases().get(2), t).state();
            assertEquals(want[0] & 0xFFFF_FFFFL, out.gpr(HostState.RAX));
            assertEquals(want[1] & 0xFFFF_FFFFL, out.gpr(HostState.RBX));
            assertEquals(want[2] & 0xFFFF_FFFFL, out.gpr(HostState.RCX));
            assertEquals(want[3] & 0xFFFF_FFFFL, out.gpr(HostState.RDX));
        }
    }

    @Test
    void timeStampCounterIsTheGuestsWithTscAux() {
        for (Engine.Tier t : TIERS) {
            long[] tsc = new long[1];
            HostState out = JvmxCpu.runWithHooks(cases().get(3), t, cpu -> {
                cpu.state.tscSource = () -> 1000;
                cpu.state.setTsc(0x1_0000_0005L);
            }, cpu -> { }).result().state();
            assertEquals(5, out.gpr(HostState.RAX));
            assertEquals(1, out.gpr(HostState.RDX));
            out = JvmxCpu.runWithHooks(cases().get(4), t, cpu -> {
                cpu.state.tscSource = () -> 77;
                cpu.state.setTsc(0x2_0000_0009L);
                cpu.state.tscAux = 0xFFFF_FFFF_0000_0003L;
            }, cpu -> { }).result().state();
            assertEquals(9, out.gpr(HostState.RAX));
            assertEquals(2, out.gpr(HostState.RDX));
            assertEquals(3, out.gpr(HostState.RCX), "ECX = TSC_AUX[31:0]");
        }
    }

    @Test
    void rdtscFaultsAtCpl3WithTsd() {
        HostResult r = JvmxCpu.runWithHooks(cases().get(3), Engine.Tier.INTERPRET, cpu -> cpu.state.cr4 |= 4, cpu -> { })
                .result();
        assertEquals(HostResult.SIGSEGV, r.signal());
    }
}

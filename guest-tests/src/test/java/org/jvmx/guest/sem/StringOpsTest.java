package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * MOVS, STOS, LODS, SCAS and CMPS in every size, with and without REP/REPE/REPNE, DF clear
 * and set, counts 0, 1 and many, 32-bit address size, an FS-less source override, and a
 * #PF in the middle of a REP loop (registers show the iterations done, RIP on the instruction).
 */
class StringOpsTest implements DirectedCases {
    static final long SCRATCH = HostCpu.SCRATCH_BASE;

    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        List<HostState> states = new ArrayList<>();
        Random rnd = new Random(11);
        byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
        rnd.nextBytes(scratch);
        // Make SCAS/CMPS stop at varying places: runs of equal bytes between the two areas.
        for (int k = 0; k < 64; k++) scratch[0x800 + k] = scratch[0x100 + k];
        scratch[0x100 + 37] ^= 1;
        for (int k = 0; k < 64; k++) scratch[0x200 + k] = (byte) (k < 20 ? 0x41 : 0x42);
        HostState base = HostState.initial().withScratch(scratch);
        String[] sizes = {"b", "w", "d", "q"};
        String[] ops = {"movs", "stos", "lods", "scas", "cmps"};
        long[] counts = {0, 1, 2, 7, 33};
        for (String op : ops) {
            for (String sz : sizes) {
                String insn = op + sz;
                for (String prefix : new String[] {"", "rep ", "repne "}) {
                    if (prefix.equals("repne ") && !(op.equals("scas") || op.equals("cmps"))) continue;
                    for (long n : counts) {
                        for (boolean df : new boolean[] {false, true}) {
                            long rsi = SCRATCH + (df ? 0x13F : 0x100), rdi = SCRATCH + (df ? 0x83F : 0x800);
                            if (op.equals("scas")) rdi = SCRATCH + (df ? 0x23F : 0x200);
                            HostState s = base.withGpr(HostState.RSI, rsi).withGpr(HostState.RDI, rdi)
                                    .withGpr(HostState.RCX, n).withGpr(HostState.RAX, 0x4141414141414141L)
                                    .withRflags(df ? HostState.DF : 0);
                            code.add(prefix + insn + "\n");
                            states.add(s);
                        }
                    }
                }
            }
        }
        // Explicit-operand forms and 32-bit addressing (ESI/EDI/ECX).
        code.add("rep movsb byte ptr es:[edi], byte ptr [esi]\n");
        states.add(base.withGpr(HostState.RSI, SCRATCH + 0x100).withGpr(HostState.RDI, SCRATCH + 0x900)
                .withGpr(HostState.RCX, 0xFFFF_FFFF_0000_0010L));
        code.add("addr32 rep stosq\n");
        states.add(base.withGpr(HostState.RDI, 0xFFFF_FFFF_0000_0000L | (SCRATCH + 0x900)).withGpr(HostState.RCX, 5));
        // A fault in the middle of a REP loop: the destination runs off the end of scratch.
        code.add("rep stosq\n");
        states.add(base.withGpr(HostState.RDI, SCRATCH + HostCpu.SCRATCH_SIZE - 24).withGpr(HostState.RCX, 10)
                .withGpr(HostState.RAX, -1));
        code.add("rep movsb\n");
        states.add(base.withGpr(HostState.RSI, SCRATCH + HostCpu.SCRATCH_SIZE - 5)
                .withGpr(HostState.RDI, SCRATCH + 0x100).withGpr(HostState.RCX, 20));
        code.add("std\nrep movsd\ncld\n");
        states.add(base.withGpr(HostState.RSI, SCRATCH + 0x10).withGpr(HostState.RDI, SCRATCH + 0x400)
                .withGpr(HostState.RCX, 20));
        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> cases = new ArrayList<>();
        for (int k = 0; k < bytes.size(); k++) cases.add(new HostCase(states.get(k), bytes.get(k)));
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}

package org.jvmx.guest.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.Formatter;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.exec.Engine;

/**
 * The differential check every semantics test uses: each case runs natively on the host CPU
 * and in jvmx in both tiers (interpreter and JIT); the signal, RIP, fault address, every GPR,
 * MXCSR, every XMM register, every scratch byte and every status flag that is defined (the
 * SDM's undefined flags, as the lazy-flags engine tracks them along the path actually run,
 * are masked; that mask must lie within the decoder's static undefined set for the code)
 * must match. A mismatch report shows the code disassembled, both states, and the command
 * that replays the case natively.
 */
public final class Differential {
    private Differential() {
    }

    /** Runs {@code cases} (any number; batched natively) and returns one report per mismatching case. */
    public static List<String> check(List<HostCase> cases) {
        List<String> reports = new ArrayList<>();
        List<HostResult> nat = new ArrayList<>(cases.size());
        for (int from = 0; from < cases.size(); from += 4000)
            nat.addAll(HostCpu.get().run(cases.subList(from, Math.min(cases.size(), from + 4000))));
        for (int k = 0; k < cases.size(); k++) {
            String r = compare(cases.get(k), nat.get(k));
            if (r != null) reports.add("case " + k + ": " + r);
        }
        return reports;
    }

    /** Compares one case's native result with both jvmx tiers; null when all agree. */
    public static String compare(HostCase c, HostResult nat) {
        JvmxCpu.Run interp, compiled;
        try {
            interp = JvmxCpu.runWithFlags(c, Engine.Tier.INTERPRET);
            compiled = JvmxCpu.runWithFlags(c, Engine.Tier.COMPILE);
        } catch (RuntimeException e) {
            return report(c, nat, null, "jvmx threw " + e);
        }
        long undefined = interp.undefinedFlags();
        long allowed = staticUndefined(c.code());
        if ((undefined & ~allowed) != 0)
            return report(c, nat, interp.result(), String.format(
                    "jvmx reports flags %#x undefined, outside the decoder's undefined set %#x", undefined, allowed));
        String d = diff(nat, interp.result(), undefined);
        if (d != null) return report(c, nat, interp.result(), "interpreter vs host: " + d);
        d = diff(nat, compiled.result(), undefined);
        if (d != null) return report(c, nat, compiled.result(), "JIT vs host: " + d);
        return null;
    }

    /** The first difference between two results, null when equal under the undefined-flag mask. */
    public static String diff(HostResult a, HostResult b, long undefinedFlags) {
        if (a.signal() != b.signal()) return "signal " + a.signalName() + " vs " + b.signalName();
        if (a.rip() != b.rip()) return String.format("rip %#x vs %#x", a.rip(), b.rip());
        if (a.signal() == HostResult.SIGSEGV && a.faultAddr() != b.faultAddr())
            return String.format("fault address %#x vs %#x", a.faultAddr(), b.faultAddr());
        HostState x = a.state(), y = b.state();
        for (int i = 0; i < 16; i++)
            if (x.gpr(i) != y.gpr(i)) return String.format("%s %#x vs %#x", HostState.NAMES[i], x.gpr(i), y.gpr(i));
        long m = HostState.LOADED_FLAGS & ~undefinedFlags;
        if (((x.rflags() ^ y.rflags()) & m) != 0)
            return String.format("rflags %#x vs %#x (compared bits %#x)", x.rflags() & m, y.rflags() & m, m);
        if (x.mxcsr() != y.mxcsr()) return String.format("mxcsr %#x vs %#x", x.mxcsr(), y.mxcsr());
        for (int i = 0; i < 16; i++)
            if (x.xmmLo(i) != y.xmmLo(i) || x.xmmHi(i) != y.xmmHi(i))
                return String.format("xmm%d %016x%016x vs %016x%016x", i, x.xmmHi(i), x.xmmLo(i), y.xmmHi(i), y.xmmLo(i));
        for (int i = 0; i < HostCpu.SCRATCH_SIZE; i++)
            if (x.scratch()[i] != y.scratch()[i])
                return String.format("scratch byte %#x (address %#x): %02x vs %02x", i, HostCpu.SCRATCH_BASE + i,
                        x.scratch()[i] & 0xff, y.scratch()[i] & 0xff);
        return null;
    }

    /**
     * Union of the decoder's undefined flags over every instruction in {@code code}. The decoder
     * gives each form's general case; SHL/SHR/SAL on bytes and words also leave CF undefined
     * when the masked count reaches the operand width (SDM SAL/SAR/SHL/SHR, "Flags Affected"),
     * which only the count at run time decides, so CF is allowed there too.
     */
    static long staticUndefined(byte[] code) {
        long u = 0;
        int bits = 64;
        Instruction in = new Instruction();
        for (int off = 0; off < code.length; ) {
            int n = Decoder.of(bits).decode(code, off, code.length, HostCpu.CODE_BASE + off, in);
            if (in.isInvalid() || n <= 0) break;
            u |= in.flagsUndefined();
            Mnemonic m = in.mnemonic();
            if (m == Mnemonic.SHL || m == Mnemonic.SHR || m == Mnemonic.SAL) u |= HostState.CF;
            bits = Compat32.bitnessAfter(in, bits);
            off += n;
        }
        return u;
    }

    /** The code as an address/bytes/instruction listing. */
    public static String disassemble(byte[] code) {
        StringBuilder b = new StringBuilder();
        int bits = 64;
        Instruction in = new Instruction();
        HexFormat h = HexFormat.of();
        for (int off = 0; off < code.length; ) {
            int n = Decoder.of(bits).decode(code, off, code.length, HostCpu.CODE_BASE + off, in);
            if (n <= 0) n = 1;
            b.append(String.format("  %8x: %-30s %s%n", HostCpu.CODE_BASE + off,
                    h.formatHex(code, off, Math.min(code.length, off + n)),
                    in.isInvalid() ? "(bad)" : Formatter.INTEL.format(in)));
            if (!in.isInvalid()) bits = Compat32.bitnessAfter(in, bits);
            off += n;
        }
        return b.toString();
    }

    private static String report(HostCase c, HostResult nat, HostResult jv, String what) {
        String replay;
        try {
            Path f = Files.createTempFile("jvmx-case-", ".bin");
            HostCpu.save(f, List.of(c));
            replay = HostCpu.get().replayCommand(f);
        } catch (Exception e) {
            replay = "(cannot save the case: " + e + ")";
        }
        return what + "\n" + disassemble(c.code()) + "input:\n" + c.state() + "\nhost: " + nat + "\njvmx: " + jv
                + "\nreplay natively: " + replay + "\n";
    }
}

package org.jvmx.guest.sem;

import java.util.List;
import org.jvmx.guest.host.Differential;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.JvmxCpu;
import org.jvmx.translator.exec.Engine;

/** Compact mismatch listing for x87 cases (a debugging aid). */
final class X87Debug {
    static void dump(List<HostCase> cases, int max) {
        List<HostResult> nat = HostCpu.get().run(cases);
        int shown = 0, bad = 0;
        java.util.Map<String, Integer> byOp = new java.util.TreeMap<>();
        for (int k = 0; k < cases.size(); k++) {
            HostResult j = JvmxCpu.run(cases.get(k), Engine.Tier.INTERPRET);
            if (Differential.diff(nat.get(k), j, 0) == null) continue;
            bad++;
            String dis = Differential.disassemble(cases.get(k).code());
            String[] lines = dis.split("\n");
            String op = lines.length > 3 ? lines[3].replaceAll(".*  ", "").trim() : "?";
            byOp.merge(op, 1, Integer::sum);
            if (shown++ >= max) continue;
            byte[] in = cases.get(k).state().scratch();
            System.out.printf("case %d %s fcw=%04x A=%s B=%s%n  host %s%n  jvmx %s%n", k, op, le(in, 0x100, 2),
                    f80(in, 0x110), f80(in, 0x120), image(nat.get(k)), image(j));
            System.out.println(Differential.diff(nat.get(k), j, 0));
            if (System.getProperty("x87.bytes") != null) {
                System.out.println("  host " + java.util.HexFormat.of().formatHex(nat.get(k).state().scratch(), 0x180, 0x1d8));
                System.out.println("  jvmx " + java.util.HexFormat.of().formatHex(j.state().scratch(), 0x180, 0x1d8));
            }
        }
        System.out.println("bad " + bad + " " + byOp);
    }

    static String image(HostResult r) {
        byte[] s = r.state().scratch();
        int b = 0xC00;
        StringBuilder o = new StringBuilder(String.format("sig=%d fcw=%04x fsw=%04x tag=%02x", r.signal(), le(s, b, 2), le(s, b + 2, 2), le(s, b + 4, 1)));
        for (int st = 0; st < 3; st++) o.append(" st").append(st).append('=').append(f80(s, b + 32 + 16 * st));
        o.append(String.format(" out=%016x rflags=%x", le(s, 0x180, 8), r.state().rflags() & 0x8d5));
        return o.toString();
    }

    static String f80(byte[] s, int off) {
        return String.format("%04x:%016x", le(s, off + 8, 2), le(s, off, 8));
    }

    static long le(byte[] s, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (s[off + i] & 0xff);
        return v;
    }
}

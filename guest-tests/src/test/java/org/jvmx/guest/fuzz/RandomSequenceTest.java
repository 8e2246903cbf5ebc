package org.jvmx.guest.fuzz;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.guest.host.Differential;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.translator.exec.Isa;

/**
 * Random instruction sequences over every implemented mnemonic ({@link Isa#implemented}, read at
 * run time, so the test widens by itself as semantics land), each run natively and in both jvmx
 * tiers through {@link Differential#compare}. Properties: {@code fuzz.seed} (default 20261124),
 * {@code seq.count} (default 50,000; raise it for a longer run), {@code seq.only=N} (only case N of
 * the seed: what a mismatch report's replay line uses), {@code seq.verbose=true} (list every form
 * left out and why) and {@code seq.hostOnly=true} (treat every mnemonic as implemented and run
 * natively only: checks that the generator stays inside the sandbox and prints what ends the
 * sequences on the host). Forms of an implemented mnemonic that jvmx answers with #UD where the
 * host does not are left out and listed at the start of every run.
 */
class RandomSequenceTest {
    private static final int BATCH = 2_000;
    private static final int MAX_REPORTS = 3;

    @Test
    void randomSequencesMatchHost() {
        long seed = Long.getLong("fuzz.seed", 20261124L);
        int count = Integer.getInteger("seq.count", 50_000);
        int only = Integer.getInteger("seq.only", -1);
        boolean hostOnly = Boolean.getBoolean("seq.hostOnly");
        Set<Mnemonic> implemented = EnumSet.noneOf(Mnemonic.class);
        for (Mnemonic m : Mnemonic.values()) if (m != Mnemonic.INVALID && (hostOnly || Isa.implemented(m))) implemented.add(m);
        long t0 = System.nanoTime();
        Catalog catalog = new Catalog(implemented, !hostOnly);
        assumeFalse(catalog.isEmpty(), "no implemented mnemonic has a template yet");
        SequenceGenerator gen = new SequenceGenerator(catalog);
        System.out.printf("random sequences: %d mnemonics (%d always faulting), %d forms skipped, catalog %.1f s%n",
                catalog.normal.size(), catalog.faulting.size(), catalog.skipped.size(), (System.nanoTime() - t0) / 1e9);

        int from = only >= 0 ? only : 0, to = only >= 0 ? only + 1 : count;
        List<String> reports = new ArrayList<>();
        int mismatches = 0, checked = 0;
        Map<String, Integer> signals = new TreeMap<>(), faultAt = new TreeMap<>();
        Set<Mnemonic> ran = EnumSet.noneOf(Mnemonic.class);
        if (Boolean.getBoolean("seq.verbose")) catalog.skipped.forEach((k, v) -> System.out.println("  skipped " + k + ": " + v));
        // always shown: a form jvmx claims by mnemonic but answers with #UD is either not written yet or a bug
        List<String> ud = catalog.skipped.entrySet().stream().filter(e -> e.getValue().startsWith("jvmx answers #UD"))
                .map(e -> e.getKey().split("\\|")[1].strip()).toList();
        if (!ud.isEmpty())
            System.out.println("  " + ud.size() + " forms left out, jvmx answers #UD where the host runs them: "
                    + String.join("; ", ud));
        long t1 = System.nanoTime();
        for (int b = from; b < to && reports.size() < MAX_REPORTS; b += BATCH) {
            List<SequenceGenerator.Sequence> seqs = new ArrayList<>();
            for (int n = b; n < Math.min(to, b + BATCH); n++) seqs.add(gen.generate(seed, n));
            List<byte[]> code = assemble(seqs);
            List<HostCase> cases = new ArrayList<>(seqs.size());
            for (int k = 0; k < seqs.size(); k++) cases.add(new HostCase(seqs.get(k).state(), code.get(k)));
            List<HostResult> nat = HostCpu.get().run(cases);
            for (int k = 0; k < cases.size(); k++) {
                HostResult h = nat.get(k);
                signals.merge(h.signalName(), 1, Integer::sum);
                if (h.faulted()) faultAt.merge(h.signalName() + " " + at(cases.get(k).code(), h.ripOffset()), 1, Integer::sum);
                ran.addAll(Catalog.mnemonics(cases.get(k).code()));
                checked++;
                if (hostOnly) continue;
                String r = Differential.compare(cases.get(k), nat.get(k));
                if (r == null) continue;
                mismatches++;
                if (reports.size() < MAX_REPORTS) reports.add(report(seed, seqs.get(k), r));
                if (reports.size() >= MAX_REPORTS) break;
            }
        }
        double secs = (System.nanoTime() - t1) / 1e9;
        System.out.printf("random sequences: %d checked in %.1f s (%.0f/s), endings %s, %d mnemonics seen%n", checked, secs,
                checked / secs, signals, ran.size());
        faultAt.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(hostOnly ? 40 : 8)
                .forEach(e -> System.out.println("  ended by " + e.getKey() + ": " + e.getValue()));
        if (hostOnly) {
            Integer timeouts = signals.get("SIGALRM");
            if (timeouts != null) fail(timeouts + " sequences timed out natively: the generator made a loop");
            return;
        }
        if (!reports.isEmpty())
            fail(mismatches + " of the first " + checked + " sequences differ from the host CPU; first:\n"
                    + String.join("\n", reports));
    }

    /** The mnemonic of the instruction at {@code off} in {@code code}. */
    private static String at(byte[] code, long off) {
        if (off < 0 || off >= code.length) return "outside";
        org.jvmx.decoder.Instruction in = new org.jvmx.decoder.Instruction();
        new org.jvmx.decoder.Decoder().decode(code, (int) off, code.length, HostCpu.CODE_BASE + off, in);
        return in.isInvalid() ? "(bad)" : org.jvmx.decoder.Formatter.INTEL.format(in).split(" ")[0];
    }

    private static String report(long seed, SequenceGenerator.Sequence s, String diff) {
        return "sequence " + s.index() + " of seed " + seed + ": " + diff + "source:\n" + s.text()
                + "replay: ./test -pl guest-tests -am -Dtest=RandomSequenceTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dfuzz.seed=" + seed + " -Dseq.only=" + s.index() + "\n";
    }

    /** One GNU as run for the batch; if the generator wrote something as rejects, name it. */
    private static List<byte[]> assemble(List<SequenceGenerator.Sequence> seqs) {
        List<String> texts = seqs.stream().map(SequenceGenerator.Sequence::text).toList();
        try {
            return Gas.assemble(texts);
        } catch (IllegalStateException e) {
            Gas.Result r = Gas.assembleEach(texts);
            StringBuilder b = new StringBuilder("the generator wrote code GNU as rejects (" + e.getMessage() + "):\n");
            r.errors().entrySet().stream().limit(3).forEach(x -> b.append("sequence ").append(seqs.get(x.getKey()).index())
                    .append(": ").append(x.getValue()).append('\n').append(texts.get(x.getKey())).append('\n'));
            throw new AssertionError(b.toString());
        }
    }
}

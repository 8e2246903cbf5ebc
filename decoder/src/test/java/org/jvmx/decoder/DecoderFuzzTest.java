package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Random 15-byte inputs, biased towards the interesting encodings: 0F, 0F 38, 0F 3A, VEX (C4, C5)
 * and EVEX (62) with plausible P0/P1/P2 bits, often after runs of legacy prefixes and REX, plus
 * some fully random inputs. System properties (passed by the root pom's surefire config):
 * {@code fuzz.count} (default 100000; {@code -Dfuzz.count=1000000} for the full run) and
 * {@code fuzz.seed} (default 20261124).
 *
 * <p>For every input: decoding throws nothing and the length is 1..15. Where both decoders accept
 * an input, the whole decode must agree (as in IcedOracleTest, RFLAGS sets and flow kind included). Validity is compared with
 * iced-x86 (iced-dump.js batch): the disagreement rate must be at most 0.1%, and every
 * disagreement must be explained by an entry of {@code src/test/resources/fuzz-triage.txt}
 * (format in that file). The report, with counts per group (accepting side / mnemonic / our
 * reason) and samples, is {@code decoder/target/fuzz-report.txt}.
 *
 * <p>The same run in 32-bit and 16-bit mode ({@link Decoder#of(int)} against iced with bitness 32 / 16):
 * {@link #randomInputs32()}, {@link #randomInputs16()}, with their own triage files
 * ({@code fuzz-triage-32.txt}, {@code fuzz-triage-16.txt}) and reports ({@code fuzz-report-32.txt},
 * {@code fuzz-report-16.txt}). Their inputs leave out REX (an opcode there) and mostly give C4/C5/62 a
 * following byte with mod = 11 (VEX/EVEX rather than LES/LDS/BOUND).
 */
class DecoderFuzzTest {
    private static final int LEN = 15;
    private static final double MAX_RATE = 0.001;

    @Test
    void randomInputs() throws IOException {
        run(64, "fuzz-triage.txt", "fuzz-report.txt");
    }

    @Test
    void randomInputs32() throws IOException {
        run(32, "fuzz-triage-32.txt", "fuzz-report-32.txt");
    }

    @Test
    void randomInputs16() throws IOException {
        run(16, "fuzz-triage-16.txt", "fuzz-report-16.txt");
    }

    private static void run(int bits, String triageFile, String reportFile) throws IOException {
        int count = intProperty("fuzz.count", 100_000);
        long seed = longProperty("fuzz.seed", 20261124L);
        Path root = IcedOracle.root();
        IcedOracle.requireOracle(root);
        List<Triage> triage = Triage.load(root.resolve("decoder/src/test/resources/" + triageFile));

        byte[] all = new byte[count * LEN];
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] one = new byte[LEN];
        StringBuilder hexLines = new StringBuilder(count * 31);
        for (int i = 0; i < count; i++) {
            generate(rnd, one, bits);
            System.arraycopy(one, 0, all, i * LEN, LEN);
            hexLines.append(IcedOracle.hex(one, 0, LEN).replace(" ", "")).append('\n');
        }
        Path work = root.resolve("decoder/target/oracle-work");
        Files.createDirectories(work);
        Path in = work.resolve("fuzz" + bits + ".hex");
        Files.writeString(in, hexLines, StandardCharsets.US_ASCII);
        List<IcedOracle.Row> rows = IcedOracle.dumpBatch(root, bits, in, work.resolve("fuzz" + bits + ".iced"));
        if (rows.size() != count) fail("iced-dump returned " + rows.size() + " lines for " + count + " inputs");

        Decoder dec = Decoder.of(bits);
        Instruction ins = new Instruction();
        List<String> crashes = new ArrayList<>();
        IcedOracle.Report report = new IcedOracle.Report(5);
        IcedOracle.Report uncovered = new IcedOracle.Report(5);
        IcedOracle.Report decodeDiffs = new IcedOracle.Report(5);
        Map<Triage, Long> triageHits = new LinkedHashMap<>();
        for (Triage t : triage) triageHits.put(t, 0L);
        long weValid = 0, icedValid = 0;
        for (int i = 0; i < count; i++) {
            int off = i * LEN;
            String hex = IcedOracle.hex(all, off, LEN);
            int len;
            try {
                len = dec.decode(all, off, off + LEN, 0x1000, ins);
            } catch (RuntimeException | StackOverflowError e) {
                if (crashes.size() < 20) crashes.add(hex + ": " + e);
                continue;
            }
            if (len < 1 || len > LEN || ins.length() != len) {
                if (crashes.size() < 20) crashes.add(hex + ": length " + len + " (Instruction.length() " + ins.length() + ")");
                continue;
            }
            IcedOracle.Row r = rows.get(i);
            if (!ins.isInvalid()) weValid++;
            if (r.valid()) icedValid++;
            if (!ins.isInvalid() && r.valid()) {
                // both accept: the whole decode must agree (length, mnemonic, operands, EVEX decorations)
                String d = IcedOracle.compare(ins, r);
                if (d != null) {
                    final Instruction snap = ins.copy();
                    decodeDiffs.add(ins.mnemonic().name() + " / " + d, () -> hex + " | iced: " + IcedOracle.describe(r)
                            + " | jvmx: " + IcedOracle.describe(snap) + " [" + snap.specSource() + "]");
                }
                continue;
            }
            if (ins.isInvalid() == !r.valid()) continue;
            boolean icedAccepts = r.valid();
            String side = icedAccepts ? "iced" : "jvmx";
            String mnemonic = icedAccepts ? r.mnemonic() : ins.mnemonic().name();
            String reason = icedAccepts ? ins.invalidReason().name() : "";
            String cpuid = icedAccepts ? r.cpuid() : "";
            String hexNs = hex.replace(" ", "");
            String key = (icedAccepts ? "iced accepts, jvmx rejects" : "jvmx accepts, iced rejects") + " / " + mnemonic
                    + (icedAccepts ? " (" + cpuid + ") / " + reason : " / " + ins.specSource());
            final Instruction snap = ins.copy();
            java.util.function.Supplier<String> sample = () -> hex + " | iced: " + IcedOracle.describe(r)
                    + " | jvmx: " + IcedOracle.describe(snap);
            Triage t = Triage.find(triage, side, hexNs, mnemonic, cpuid, reason);
            if (t != null) {
                triageHits.merge(t, 1L, Long::sum);
                key = key + "  [triaged: " + t.line + "]";
            } else {
                uncovered.add(key, sample);
            }
            report.add(key, sample);
        }

        double rate = (double) report.total / count;
        String header = String.format(Locale.ROOT,
                "fuzz (%d-bit): %d inputs (seed %d), jvmx valid %d, iced valid %d; %d validity disagreements (%.4f%%, limit %.1f%%), "
                        + "%d not covered by fuzz-triage.txt; %d crashes or bad lengths; %d decode differences where both accept%n",
                bits, count, seed, weValid, icedValid, report.total, rate * 100, MAX_RATE * 100, uncovered.total, crashes.size(),
                decodeDiffs.total);
        StringBuilder full = new StringBuilder(header);
        if (!crashes.isEmpty()) full.append("\nCrashes / bad lengths:\n  ").append(String.join("\n  ", crashes)).append('\n');
        full.append("\nTriage entries (hits):\n");
        for (Map.Entry<Triage, Long> e : triageHits.entrySet()) {
            full.append(String.format("%7d  line %d: %s%n", e.getValue(), e.getKey().line, e.getKey().text));
        }
        full.append("\nDecode differences where both accept (mnemonic / fields):\n").append(decodeDiffs.render(Integer.MAX_VALUE, 5));
        full.append("\nDisagreements not covered by the triage file:\n").append(uncovered.render(Integer.MAX_VALUE, 5));
        full.append("\nAll disagreements (side / accepting mnemonic / our reason or spec line), largest first:\n")
                .append("  sample: 15 input bytes | iced | jvmx\n")
                .append(report.render(Integer.MAX_VALUE, 5));
        Path out = root.resolve("decoder/target/" + reportFile);
        Files.writeString(out, full);

        if (!crashes.isEmpty()) fail(header + "first crashes:\n  " + String.join("\n  ", crashes) + "\nFull report: " + out);
        assertTrue(decodeDiffs.total == 0, () -> header + "Largest groups of decode differences:\n" + decodeDiffs.render(40, 1));
        assertTrue(uncovered.total == 0 && rate <= MAX_RATE, () -> header + (uncovered.total > 0
                ? "Largest groups not covered by fuzz-triage.txt (side / mnemonic / reason), with a sample each:\n"
                        + uncovered.render(40, 1)
                : "All are triaged, but there are too many. Largest groups (side / mnemonic / reason):\n"
                        + report.render(40, 1))
                + "Full report: " + out);
    }

    // ---------------------------------------------------------------- inputs

    private static final int[] LEGACY = {0x66, 0x66, 0x66, 0xF2, 0xF2, 0xF3, 0xF3, 0xF0, 0x67, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65};

    /** One biased random input. */
    static void generate(SplittableRandom r, byte[] b, int bits) {
        r.nextBytes(b);
        int family = r.nextInt(100);
        if (family < 8) return; // fully random
        int p = 0;
        boolean vex = family >= 50 && family < 94;
        // a run of legacy prefixes, then maybe REX (VEX/EVEX: rarely, they make it #UD)
        if (r.nextInt(100) < (vex ? 12 : 55)) {
            int n = 1 + r.nextInt(vex ? 2 : 4);
            for (int i = 0; i < n; i++) b[p++] = (byte) LEGACY[r.nextInt(LEGACY.length)];
        }
        if (r.nextInt(100) < (vex ? 4 : 35) && bits == 64) b[p++] = (byte) (0x40 + r.nextInt(16));
        if (family < 22) {
            b[p++] = 0x0F;
            b[p++] = (byte) r.nextInt(256);
        } else if (family < 36) {
            b[p++] = 0x0F;
            b[p++] = 0x38;
            b[p++] = (byte) r.nextInt(256);
        } else if (family < 50) {
            b[p++] = 0x0F;
            b[p++] = 0x3A;
            b[p++] = (byte) r.nextInt(256);
        } else if (family < 62) {
            b[p++] = (byte) 0xC5;
            int v = r.nextInt(256);
            if (r.nextBoolean()) v |= 0x78; // vvvv = 1111b (unused)
            b[p++] = (byte) legacyModBits(r, v, bits);
            b[p++] = (byte) r.nextInt(256);
        } else if (family < 76) {
            b[p++] = (byte) 0xC4;
            int map = r.nextInt(100) < 85 ? 1 + r.nextInt(3) : r.nextInt(32);
            b[p++] = (byte) legacyModBits(r, r.nextInt(8) << 5 | map, bits);
            int v = r.nextInt(256);
            if (r.nextBoolean()) v |= 0x78;
            b[p++] = (byte) v;
            b[p++] = (byte) r.nextInt(256);
        } else if (family < 94) {
            b[p++] = 0x62;
            int[] maps = {1, 2, 3, 5, 6};
            int map = r.nextInt(100) < 85 ? maps[r.nextInt(maps.length)] : r.nextInt(8);
            int p0 = r.nextInt(16) << 4 | map;           // R X B R', bit 3 = 0
            if (r.nextInt(100) < 8) p0 |= 0x08;
            int p1 = r.nextInt(256) | 0x04;               // W vvvv 1 pp
            if (r.nextBoolean()) p1 |= 0x78;
            if (r.nextInt(100) < 8) p1 &= ~0x04;
            int z = r.nextInt(100) < 20 ? 1 : 0;
            int ll = r.nextInt(100) < 92 ? r.nextInt(3) : 3;
            int bb = r.nextInt(100) < 25 ? 1 : 0;
            int vp = r.nextInt(100) < 80 ? 1 : 0;          // V' (inverted): usually 1
            int aaa = r.nextBoolean() ? 0 : r.nextInt(8);
            b[p++] = (byte) legacyModBits(r, p0, bits);
            b[p++] = (byte) p1;
            b[p++] = (byte) (z << 7 | ll << 5 | bb << 4 | vp << 3 | aaa);
            b[p++] = (byte) r.nextInt(256);
        } else {
            int op;
            do op = r.nextInt(256); while (isPrefixOrEscape(op));
            b[p++] = (byte) op;
        }
        // ModRM: register forms often
        if (p < LEN && r.nextInt(100) < 40) b[p] = (byte) (0xC0 | r.nextInt(64));
    }

    /** Outside 64-bit mode, C4/C5/62 are VEX/EVEX only before a byte with bits 7:6 = 11: mostly give it them. */
    private static int legacyModBits(SplittableRandom r, int v, int bits) {
        return bits != 64 && r.nextInt(100) < 90 ? v | 0xc0 : v;
    }

    private static boolean isPrefixOrEscape(int b) {
        return b == 0x0F || b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || (b & 0xF0) == 0x40
                || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 || b == 0xC4 || b == 0xC5 || b == 0x62;
    }

    private static int intProperty(String name, int def) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() || v.contains("${") ? def : Integer.parseInt(v.strip());
    }

    private static long longProperty(String name, long def) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() || v.contains("${") ? def : Long.parseLong(v.strip());
    }

    // ---------------------------------------------------------------- triage file

    /** One entry of fuzz-triage.txt: {@code SIDE | FIELD~REGEX ... | REASON} (columns split at " | "). */
    record Triage(int line, String text, String side, Map<String, Pattern> conditions) {
        static List<Triage> load(Path file) throws IOException {
            if (!Files.exists(file)) fail(file + " is missing");
            List<Triage> l = new ArrayList<>();
            int n = 0;
            for (String raw : Files.readAllLines(file)) {
                n++;
                String s = raw.strip();
                if (s.isEmpty() || s.startsWith("#")) continue;
                String[] f = s.split("\\s\\|\\s", 3);
                if (f.length != 3 || f[2].isBlank()) fail(file + ":" + n + ": expected SIDE | CONDITIONS | REASON");
                String side = f[0].strip();
                if (!side.equals("iced") && !side.equals("jvmx")) fail(file + ":" + n + ": SIDE must be iced or jvmx");
                Map<String, Pattern> cond = new LinkedHashMap<>();
                String c = f[1].strip();
                if (!c.equals("*")) {
                    for (String tok : c.split("\\s+")) {
                        int t = tok.indexOf('~');
                        String field = t < 0 ? "" : tok.substring(0, t);
                        if (!List.of("hex", "mnemonic", "cpuid", "reason").contains(field)) {
                            fail(file + ":" + n + ": condition '" + tok + "': expected hex~, mnemonic~, cpuid~ or reason~");
                        }
                        cond.put(field, Pattern.compile(tok.substring(t + 1), Pattern.CASE_INSENSITIVE));
                    }
                }
                l.add(new Triage(n, s, side, cond));
            }
            return l;
        }

        static Triage find(List<Triage> all, String side, String hex, String mnemonic, String cpuid, String reason) {
            for (Triage t : all) if (t.matches(side, hex, mnemonic, cpuid, reason)) return t;
            return null;
        }

        boolean matches(String side, String hex, String mnemonic, String cpuid, String reason) {
            if (!this.side.equals(side)) return false;
            for (Map.Entry<String, Pattern> e : conditions.entrySet()) {
                String v = switch (e.getKey()) {
                    case "hex" -> hex;
                    case "mnemonic" -> mnemonic;
                    case "cpuid" -> cpuid;
                    default -> reason;
                };
                if (!e.getValue().matcher(v).find()) return false;
            }
            return true;
        }
    }
}

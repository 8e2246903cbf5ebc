package org.jvmx.decoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java side of {@code scripts/spec-diff} (see there): decodes hex byte strings with our decoder
 * and with iced (one node process), and prints both side by side, flagging differences.
 *
 * <pre>
 *   SpecDiff [--all] HEX...        every input, DIFF or OK
 *   SpecDiff [--all] --file F      one hex string per line ('#' comments); only the differing ones
 *                                  unless --all, then a summary grouped like IcedOracleTest
 * </pre>
 * Exit status: 0 when all agree, 1 when some differ, 2 on a usage or environment error.
 */
public final class SpecDiff {
    private SpecDiff() { }

    public static void main(String[] args) throws IOException {
        boolean all = false;
        boolean fromFile = false;
        List<String> inputs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--all" -> all = true;
                case "--file" -> {
                    if (++i >= args.length) usage();
                    fromFile = true;
                    List<String> lines = args[i].equals("-")
                            ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()
                            : Files.readAllLines(Path.of(args[i]));
                    int n = 0;
                    for (String l : lines) {
                        n++;
                        String t = l.strip();
                        if (t.isEmpty() || t.startsWith("#")) continue;
                        int hash = t.indexOf('#');
                        String hexPart = hash >= 0 ? t.substring(0, hash) : t;
                        if (hexPart.replaceAll("[^0-9a-fA-F]", "").length() < 2) continue;
                        inputs.add(hexPart.strip());
                        labels.add(args[i] + ":" + n + (hash >= 0 ? "  " + t.substring(hash) : ""));
                    }
                }
                case "-h", "--help" -> usage();
                default -> {
                    inputs.add(args[i]);
                    labels.add(null);
                }
            }
        }
        if (inputs.isEmpty()) usage();
        boolean onlyDiffs = fromFile && !all;

        Path root;
        List<IcedOracle.Row> rows;
        try {
            root = IcedOracle.root();
            IcedOracle.requireOracle(root);
            Path tmp = Files.createTempFile("spec-diff", ".hex");
            Path out = Files.createTempFile("spec-diff", ".iced");
            try {
                Files.write(tmp, inputs);
                rows = IcedOracle.dumpBatch(root, tmp, out);
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(out);
            }
        } catch (AssertionError e) {
            System.err.println("spec-diff: " + e.getMessage());
            System.exit(2);
            return;
        }

        Decoder dec = new Decoder();
        Instruction in = new Instruction();
        IcedOracle.Report report = new IcedOracle.Report(3);
        int differ = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputs.size(); i++) {
            byte[] b = IcedOracle.parseHex(inputs.get(i));
            IcedOracle.Row r = rows.get(i);
            dec.decode(b, 0, b.length, 0x1000, in);
            String kind;
            if (in.isInvalid() != !r.valid()) {
                kind = in.isInvalid() ? "validity: jvmx rejects (" + in.invalidReason() + ")" : "validity: iced rejects";
            } else if (in.isInvalid()) {
                kind = null;
            } else {
                kind = IcedOracle.compare(in, r);
            }
            if (kind != null) {
                differ++;
                String hex = IcedOracle.hex(b, 0, b.length);
                report.add((in.isInvalid() ? "(invalid)" : in.mnemonic().name()) + " / " + r.mnemonic() + " / " + kind, () -> hex);
            }
            if (onlyDiffs && kind == null) continue;
            sb.append(IcedOracle.hex(b, 0, b.length));
            if (labels.get(i) != null) sb.append("    (").append(labels.get(i)).append(')');
            sb.append('\n');
            sb.append("  jvmx  ").append(IcedOracle.describe(in)).append('\n');
            if (!in.isInvalid() && in.operandCount() > 0) sb.append("        ").append(IcedOracle.operands(in)).append('\n');
            sb.append("  iced  ").append(IcedOracle.describe(r)).append('\n');
            if (r.valid() && r.ops().length > 0) sb.append("        ").append(String.join(" ", r.ops())).append('\n');
            sb.append(kind == null ? "  OK\n" : "  DIFF " + kind + "\n");
        }
        if (fromFile) {
            sb.append(String.format("%n%d inputs, %d differ%n", inputs.size(), differ));
            if (differ > 0) sb.append(report.render(Integer.MAX_VALUE, 3));
        }
        System.out.print(sb);
        System.out.flush();
        System.exit(differ == 0 ? 0 : 1);
    }

    private static void usage() {
        System.err.println("usage: spec-diff [--all] HEX... | spec-diff [--all] --file F|-");
        System.exit(2);
    }
}

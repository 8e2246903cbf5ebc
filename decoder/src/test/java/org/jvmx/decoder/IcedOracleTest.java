package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decodes the whole {@code .text} of two real binaries with our {@link Decoder} and with the
 * iced-x86 oracle, and compares every instruction: glibc's {@code libc.so.6} (SSE/AVX/AVX-512
 * string functions, x87, system instructions) and Debian's static busybox (ordinary compiled code).
 *
 * <p>How: {@code objcopy -O binary --only-section=.text} extracts the bytes, {@code readelf -SW}
 * gives the section's address; {@code decoder/src/test/oracle/iced-dump.js elf} decodes them
 * sequentially (one node process) and we decode at every instruction start iced reports.
 *
 * <p>Compared, for each instruction: validity; when both are valid, length, mnemonic
 * (case-insensitive, after {@link IcedOracle#MNEMONIC_ALIASES}), operand count, and per operand
 * the kind, register, memory segment/base/index/scale/displacement (RIP-relative as the absolute
 * address) and access size, immediate value masked to iced's immediate size, branch target; and
 * the EVEX decorations (opmask, {z}, broadcast, rounding, SAE); the RFLAGS sets read / written /
 * undefined / cleared / set and the control-flow kind ({@link IcedOracle#compare}). The normalisation is:
 * <ul>
 *   <li>mnemonic aliases: {@link IcedOracle#MNEMONIC_ALIASES} (each entry explained there);</li>
 *   <li>registers: iced's R8L..R15L are our R8B..R15B (same registers, AMD vs Intel name);</li>
 *   <li>the SIB scale is ignored when there is no index register, the displacement is compared
 *       modulo the address size (a 67-prefixed address is 32 bits), and iced's MASKMOV implicit
 *       {@code seg:[rDI]} is an ordinary memory operand with base rDI, as ours is;</li>
 *   <li>flags and flow: see {@link IcedOracle} (flags iced can express, FlowControl mapping,
 *       general case of shift-by-imm8 and XOR/SUB r,r, SDM exceptions).</li>
 * </ul>
 *
 * <p>On failure the message lists the largest mismatch groups, keyed
 * {@code our mnemonic / iced mnemonic / kind} where kind is {@code validity: ...} or the
 * comma-separated differing fields ({@code length}, {@code mnemonic}, {@code opcount},
 * {@code opN.reg}, {@code opN.memsize}, ...), with counts and samples (bytes, iced's text, ours
 * with the spec line that matched). The full report is {@code decoder/target/oracle-report-NAME.txt}.
 * Acceptance: no mismatch at all.
 */
class IcedOracleTest {
    /** Groups in the failure message. */
    private static final int MESSAGE_GROUPS = 40;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"libc, /usr/lib/x86_64-linux-gnu/libc.so.6", "busybox, /bin/busybox"})
    void decodesLikeIced(String name, String binary) throws IOException {
        Path root = IcedOracle.root();
        IcedOracle.requireOracle(root);
        if (!Files.isRegularFile(Path.of(binary))) fail(binary + " is missing: " + IcedOracle.RUN_ORACLES);
        IcedOracle.requireCommand("objcopy");
        IcedOracle.requireCommand("readelf");

        Path work = root.resolve("decoder/target/oracle-work");
        Files.createDirectories(work);
        Path text = work.resolve(name + ".text");
        IcedOracle.run(root, List.of("objcopy", "-O", "binary", "--only-section=.text", binary, text.toString()));
        long vaddr = textAddress(root, binary);
        byte[] code = Files.readAllBytes(text);
        List<IcedOracle.Row> rows = IcedOracle.dumpElf(root, text, vaddr, work.resolve(name + ".iced"));

        IcedOracle.Report report = new IcedOracle.Report(5);
        Decoder dec = new Decoder();
        Instruction in = new Instruction();
        long lengthOrValidity = 0, compared = 0;
        for (IcedOracle.Row r : rows) {
            int off = (int) r.off();
            long ip = vaddr + off;
            dec.decode(code, off, code.length, ip, in);
            compared++;
            String ours = in.isInvalid() ? "(invalid)" : in.mnemonic().name();
            String kind;
            if (in.isInvalid() != !r.valid()) {
                kind = in.isInvalid() ? "validity: jvmx rejects (" + in.invalidReason() + ")" : "validity: iced rejects";
                lengthOrValidity++;
            } else if (in.isInvalid()) {
                continue; // both reject: lengths of invalid instructions are not comparable
            } else {
                kind = IcedOracle.compare(in, r);
                if (kind == null) continue;
                if (kind.contains("length")) lengthOrValidity++;
            }
            final Instruction snap = in.copy();
            report.add(ours + " / " + r.mnemonic() + " / " + kind, () -> sample(code, off, ip, snap, r));
        }

        String header = String.format("%s: %s (.text at 0x%x, %d bytes): %d instructions compared, %d mismatches in %d groups"
                        + " (%d of them length or validity)%n", name, binary, vaddr, code.length, compared, report.total,
                report.groupCount(), lengthOrValidity);
        StringBuilder full = new StringBuilder(header);
        full.append("\nMismatches by our mnemonic:\n");
        for (Map.Entry<String, Long> e : report.countsByFirstField().entrySet()) {
            full.append(String.format("%7d  %s%n", e.getValue(), e.getKey()));
        }
        full.append("\nGroups (our mnemonic / iced mnemonic / kind), largest first:\n")
                .append("  sample: bytes  @address | iced: text len deco (Mnemonic, CPUID) | jvmx: text len deco [spec file:line]\n")
                .append(report.render(Integer.MAX_VALUE, 5));
        Path out = root.resolve("decoder/target/oracle-report-" + name + ".txt");
        Files.writeString(out, full);
        if (report.total > 0) {
            fail(header + "Largest groups (our mnemonic / iced mnemonic / kind), with a sample each:\n"
                    + report.render(MESSAGE_GROUPS, 1) + "Full report: " + out);
        }
    }

    private static String sample(byte[] code, int off, long ip, Instruction in, IcedOracle.Row r) {
        int n = Math.min(15, Math.max(r.len(), in.length()));
        return IcedOracle.hex(code, off, n) + "  @" + Long.toHexString(ip)
                + " | iced: " + IcedOracle.describe(r) + " | jvmx: " + IcedOracle.describe(in);
    }

    /** The .text section's address, from {@code readelf -SW}. */
    private static long textAddress(Path root, String binary) {
        String out = IcedOracle.run(root, List.of("readelf", "-SW", binary));
        Matcher m = Pattern.compile("\\]\\s+\\.text\\s+\\S+\\s+([0-9a-fA-F]+)\\s").matcher(out);
        if (!m.find()) fail("readelf -SW " + binary + ": no .text section");
        return Long.parseUnsignedLong(m.group(1), 16);
    }
}

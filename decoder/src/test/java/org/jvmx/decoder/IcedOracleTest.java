package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

        String failure = IcedOracle.compareText(root, name, new Decoder(), code, vaddr, rows);
        if (failure != null) fail(failure);
    }

    /** The .text section's address, from {@code readelf -SW}. */
    static long textAddress(Path root, String binary) {
        String out = IcedOracle.run(root, List.of("readelf", "-SW", binary));
        Matcher m = Pattern.compile("\\]\\s+\\.text\\s+\\S+\\s+([0-9a-fA-F]+)\\s").matcher(out);
        if (!m.find()) fail("readelf -SW " + binary + ": no .text section");
        return Long.parseUnsignedLong(m.group(1), 16);
    }
}

package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 32-bit and 16-bit code decoded by {@link Decoder#of(int)} and by iced-x86 with the same bitness,
 * compared instruction by instruction as {@link IcedOracleTest} does for 64-bit code
 * ({@link IcedOracle#compareText}: validity, length, mnemonic, operands, decorations, flags, flow).
 *
 * <ul>
 *   <li>{@link #assembled}: {@code src/test/resources/legacy/sample.s}, a broad instruction list with
 *       what differs outside 64-bit mode, assembled by GNU as ({@code as --32}) once after
 *       {@code .code32} and once after {@code .code16};</li>
 *   <li>{@link #binary32}: the {@code .text} of a real 32-bit program, valgrind's
 *       {@code memcheck-x86-linux} (statically linked compiled C), when the machine has it.</li>
 * </ul>
 * Reports: {@code decoder/target/oracle-report-NAME.txt}. Acceptance: no mismatch at all.
 */
class IcedOracleLegacyTest {
    private static final String BINARY32 = "/usr/libexec/valgrind/memcheck-x86-linux";

    @ParameterizedTest(name = "sample.s as .code{0}")
    @ValueSource(ints = {32, 16})
    void assembled(int bits) throws IOException {
        Path root = IcedOracle.root();
        IcedOracle.requireOracle(root);
        IcedOracle.requireCommand("as");
        IcedOracle.requireCommand("objcopy");
        Path work = root.resolve("decoder/target/oracle-work");
        Files.createDirectories(work);
        String name = "sample" + bits;
        Path src = work.resolve(name + ".s"), obj = work.resolve(name + ".o"), text = work.resolve(name + ".text");
        Files.writeString(src, ".code" + bits + "\n" + Files.readString(root.resolve("decoder/src/test/resources/legacy/sample.s")));
        IcedOracle.run(root, List.of("as", "--32", "-o", obj.toString(), src.toString()));
        IcedOracle.run(root, List.of("objcopy", "-O", "binary", "--only-section=.text", obj.toString(), text.toString()));
        compare(root, name, bits, text, 0x1000);
    }

    @Test
    void binary32() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(BINARY32)), BINARY32 + " is missing (Debian package valgrind)");
        Path root = IcedOracle.root();
        IcedOracle.requireOracle(root);
        IcedOracle.requireCommand("objcopy");
        IcedOracle.requireCommand("readelf");
        Path work = root.resolve("decoder/target/oracle-work");
        Files.createDirectories(work);
        Path text = work.resolve("memcheck32.text");
        IcedOracle.run(root, List.of("objcopy", "-O", "binary", "--only-section=.text", BINARY32, text.toString()));
        compare(root, "memcheck32", 32, text, IcedOracleTest.textAddress(root, BINARY32));
    }

    private static void compare(Path root, String name, int bits, Path text, long vaddr) throws IOException {
        byte[] code = Files.readAllBytes(text);
        List<IcedOracle.Row> rows = IcedOracle.dumpElf(root, bits, text, vaddr, text.resolveSibling(name + ".iced"));
        if (rows.size() < 10) fail(name + ": iced decoded only " + rows.size() + " instructions");
        String failure = IcedOracle.compareText(root, name, Decoder.of(bits), code, vaddr, rows);
        if (failure != null) fail(failure);
    }
}

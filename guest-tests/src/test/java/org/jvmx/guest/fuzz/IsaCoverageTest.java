package org.jvmx.guest.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.exec.Isa;

/**
 * Regenerates the ISA coverage table in memory and compares it with the committed
 * {@code docs/isa-coverage.md} ({@code -Dcoverage.update=true} rewrites the file instead); fails
 * when an implemented mnemonic is tested neither by a directed test nor by the random sequences.
 */
class IsaCoverageTest {
    @Test
    void coverageTableIsCurrentAndEveryImplementedMnemonicIsTested() throws IOException {
        Set<Mnemonic> implemented = EnumSet.noneOf(Mnemonic.class);
        for (Mnemonic m : Isa.implemented()) implemented.add(m);
        Set<Mnemonic> random = new Catalog(implemented).generated();
        List<IsaCoverage.Row> rows = IsaCoverage.rows(IsaCoverage.directedMnemonics(), random, IsaCoverage.kernelMnemonics());
        String table = IsaCoverage.markdown(rows);
        Path root = Path.of(System.getProperty("jvmx.root", "..")).toAbsolutePath().normalize();
        Path file = root.resolve("docs/isa-coverage.md");
        if (Boolean.getBoolean("coverage.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, table);
            System.out.println("wrote " + file);
        } else if (!Files.exists(file) || !Files.readString(file).equals(table)) {
            fail(file + " is out of date (or missing); run: " + IsaCoverage.UPDATE_COMMAND);
        }
        List<String> untested = rows.stream().filter(r -> r.implemented() && !r.tested()).map(r -> r.mnemonic().name()).toList();
        if (!untested.isEmpty())
            fail(untested.size() + " implemented mnemonics are in no directed test, random sequence or boot-test kernel: "
                    + String.join(", ", untested));
    }
}

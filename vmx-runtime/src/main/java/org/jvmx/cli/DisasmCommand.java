package org.jvmx.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jvmx.monitor.loader.ElfException;
import org.jvmx.monitor.loader.ElfFile;
import org.jvmx.monitor.loader.ElfSection;

/** {@code jvmx disasm}: an {@code objdump -d -M intel} work-alike on the jvmx decoder. */
final class DisasmCommand implements Command {
    @Override
    public String name() {
        return "disasm";
    }

    @Override
    public String summary() {
        return "disassemble an x86-64 ELF file (or raw bytes) in Intel syntax, like objdump -d -M intel";
    }

    @Override
    public String synopsis() {
        return "disasm FILE [--section NAME]...\n       jvmx disasm FILE --raw [--base ADDR] [--bits 16|32|64]";
    }

    @Override
    public String description() {
        return """
                Prints one instruction a line: address, up to 7 bytes in hex, the instruction.
                Without --section, every section with machine code (SHF_EXECINSTR) is listed.
                Bytes that are no valid instruction print as (bad) and skip one byte.
                FILE must be an ELF64 x86-64 file, unless --raw is given.""";
    }

    @Override
    public List<Option> options() {
        return List.of(
                Option.repeatable("section", "NAME", "disassemble only section NAME (any section with bytes)"),
                Option.flag("raw", "FILE is raw machine code, not ELF"),
                Option.value("base", "ADDR", "with --raw: address of the first byte, hexadecimal (0x optional; default 0)"),
                Option.value("bits", "N", "with --raw: decode 16-, 32- or 64-bit code (default 64)"));
    }

    @Override
    public int run(Invocation inv) throws CliException, IOException {
        List<String> ops = inv.operands();
        if (ops.isEmpty()) throw inv.usageError("missing FILE");
        if (ops.size() > 1) throw inv.usageError("unexpected argument '" + ops.get(1) + "'");
        String file = ops.get(0);
        boolean raw = inv.has("raw");
        if (raw && inv.has("section")) throw inv.usageError("--section cannot be used with --raw");
        if (!raw && inv.has("base")) throw inv.usageError("--base needs --raw");
        if (!raw && inv.has("bits")) throw inv.usageError("--bits needs --raw");
        int bits = 64;
        if (inv.has("bits")) {
            switch (inv.value("bits")) {
                case "16" -> bits = 16;
                case "32" -> bits = 32;
                case "64" -> bits = 64;
                default -> throw inv.usageError("--bits: '" + inv.value("bits") + "' is not 16, 32 or 64");
            }
        }
        if (raw) {
            long base = inv.has("base") ? parseAddress(inv, inv.value("base")) : 0;
            byte[] code = InputFiles.bytes(file);
            Listing listing = new Listing(inv.out(), bits);
            listing.fileHeader(file, "binary");
            listing.section(".data", code, base); // objdump -b binary calls the bytes .data
            listing.flush();
            return Main.EXIT_OK;
        }
        ElfFile elf = InputFiles.elf(file);
        try {
            elf.requireX86_64();
            List<ElfSection> chosen = select(elf, inv.values("section"));
            Listing listing = new Listing(inv.out());
            listing.fileHeader(file, "elf64-x86-64");
            for (ElfSection s : chosen) listing.section(s.name(), elf.bytes(s), s.addr());
            listing.flush();
        } catch (ElfException e) {
            throw new CliException(e.getMessage());
        }
        return Main.EXIT_OK;
    }

    /** The sections to list, in section-table order (as objdump does, whatever the order of --section). */
    private static List<ElfSection> select(ElfFile elf, List<String> names) throws CliException {
        List<ElfSection> out = new ArrayList<>();
        if (names.isEmpty()) {
            for (ElfSection s : elf.sections()) if (s.isExecutable() && s.hasFileContents()) out.add(s);
            return out;
        }
        Set<String> wanted = new LinkedHashSet<>(names);
        for (String n : wanted) {
            ElfSection s = elf.section(n).orElseThrow(() -> new CliException(elf.source() + ": no section named '" + n + "'"));
            if (s.type() == ElfSection.SHT_NOBITS) {
                throw new CliException(elf.source() + ": section '" + n + "' has no bytes in the file (SHT_NOBITS)");
            }
        }
        for (ElfSection s : elf.sections()) if (wanted.contains(s.name()) && s.hasFileContents()) out.add(s);
        return out;
    }

    static long parseAddress(Invocation inv, String text) throws CliException {
        String t = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (t.isEmpty() || t.length() > 16) throw inv.usageError("--base: '" + text + "' is not a 64-bit hexadecimal address");
        try {
            return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            throw inv.usageError("--base: '" + text + "' is not a 64-bit hexadecimal address");
        }
    }
}

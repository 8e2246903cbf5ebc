package org.jvmx.guest.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jvmx.decoder.Mnemonic;

/**
 * One line of the decoder's instruction spec ({@code decoder/src/main/spec/*.spec}, format in
 * its FORMAT.md): the encoding tokens, the mnemonic, the operand descriptors ({@code Ev},
 * {@code Ib}, {@code Vdq}, {@code AL}, ...) and the attribute words. The random generator and
 * the coverage table read the spec directly: it is the one list of every form the decoder knows.
 *
 * @param group the spec file's name without its order number and extension ({@code general},
 *              {@code sse}, {@code vex}, ...)
 */
public record SpecForm(String group, List<String> encoding, Mnemonic mnemonic, List<String> operands,
        Set<String> attributes, List<String> cpuid, String line) {

    /** Legacy, VEX, EVEX or XOP, from the encoding's first token. */
    public String encodingKind() {
        for (String t : encoding) {
            if (t.startsWith("VEX.")) return "VEX";
            if (t.startsWith("EVEX.")) return "EVEX";
            if (t.startsWith("XOP.")) return "XOP";
        }
        return "LEGACY";
    }

    public boolean has(String attribute) { return attributes.contains(attribute); }

    public boolean hasEncodingToken(String t) { return encoding.contains(t); }

    /** The dot-separated fields of a VEX/EVEX/XOP token ({@code [VEX, 128, 66, 0F38, W0]}), else empty. */
    public List<String> vexFields() {
        for (String t : encoding)
            if (t.startsWith("VEX.") || t.startsWith("EVEX.") || t.startsWith("XOP.")) return Arrays.asList(t.split("\\."));
        return List.of();
    }

    /** The value of an {@code attr=value} attribute, or null. */
    public String attribute(String name) {
        for (String a : attributes) if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
        return null;
    }

    @Override
    public String toString() { return group + ": " + line; }

    private static List<SpecForm> all;

    /** Every form of every spec file, in file then line order (cached). */
    public static synchronized List<SpecForm> all() {
        if (all == null) all = load(specDir());
        return all;
    }

    static Path specDir() {
        Path root = Path.of(System.getProperty("jvmx.root", "..")).toAbsolutePath().normalize();
        Path dir = root.resolve("decoder/src/main/spec");
        if (!Files.isDirectory(dir)) dir = Path.of("../decoder/src/main/spec").toAbsolutePath().normalize();
        return dir;
    }

    static List<SpecForm> load(Path dir) {
        List<SpecForm> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".spec")).sorted().toList()) {
                String group = f.getFileName().toString().replaceFirst("^\\d+-", "").replace(".spec", "");
                for (String raw : Files.readAllLines(f)) {
                    SpecForm form = parse(group, raw);
                    if (form != null) out.add(form);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    static SpecForm parse(String group, String raw) {
        String line = raw.replaceFirst("#.*", "").strip();
        if (line.isEmpty()) return null;
        String[] col = line.split("\\|", -1);
        if (col.length < 2) return null;
        String[] mn = col[1].strip().split("\\s+", 2);
        Mnemonic m;
        try {
            m = Mnemonic.valueOf(mn[0]);
        } catch (IllegalArgumentException e) {
            return null;
        }
        List<String> ops = mn.length < 2 ? List.of()
                : Arrays.stream(mn[1].split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        Set<String> attrs = col.length > 2 && !col[2].isBlank() ? Set.copyOf(Arrays.asList(col[2].strip().split("\\s+"))) : Set.of();
        List<String> cpuid = new ArrayList<>();
        for (String a : attrs) if (a.startsWith("cpuid=")) cpuid.addAll(Arrays.asList(a.substring(6).split(",")));
        return new SpecForm(group, List.of(col[0].strip().split("\\s+")), m, ops, attrs, List.copyOf(cpuid), line);
    }
}

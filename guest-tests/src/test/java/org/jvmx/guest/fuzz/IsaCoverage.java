package org.jvmx.guest.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.translator.exec.Isa;

/**
 * The ISA coverage table ({@code docs/isa-coverage.md}): every decoder mnemonic by ISA group
 * (its first spec file), with its CPUID features, whether jvmx implements it ({@link Isa}) and
 * whether a test runs it: a directed test (the code of the cases of every
 * {@code org.jvmx.guest.sem} class implementing {@link DirectedCases}, decoded) or the random
 * sequences ({@link Catalog}: the forms and units the generator draws from on this host).
 */
final class IsaCoverage {
    /** What the table says about one mnemonic. */
    record Row(Mnemonic mnemonic, String group, Set<String> cpuid, boolean implemented, boolean directed, boolean random,
            boolean kernel) {
        boolean tested() { return directed || random || kernel; }
    }

    static final String UPDATE_COMMAND = "./test -pl guest-tests -am -Dtest=IsaCoverageTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dcoverage.update=true";

    private IsaCoverage() {
    }

    static List<Row> rows(Set<Mnemonic> directed, Set<Mnemonic> random, Set<Mnemonic> kernel) {
        Map<Mnemonic, String> group = new EnumMap<>(Mnemonic.class);
        Map<Mnemonic, Set<String>> cpuid = new EnumMap<>(Mnemonic.class);
        for (SpecForm f : SpecForm.all()) {
            group.putIfAbsent(f.mnemonic(), f.group());
            cpuid.computeIfAbsent(f.mnemonic(), k -> new TreeSet<>()).addAll(f.cpuid());
        }
        List<Row> rows = new ArrayList<>();
        for (Mnemonic m : Mnemonic.values()) {
            if (m == Mnemonic.INVALID) continue;
            rows.add(new Row(m, group.getOrDefault(m, "other"), cpuid.getOrDefault(m, Set.of()), Isa.implemented(m),
                    directed.contains(m), random.contains(m), kernel.contains(m)));
        }
        return rows;
    }

    /** The mnemonics in the code of every directed test's cases. */
    static Set<Mnemonic> directedMnemonics() {
        Set<Mnemonic> out = EnumSet.noneOf(Mnemonic.class);
        for (DirectedCases d : directedTests())
            for (HostCase c : d.cases()) out.addAll(Catalog.mnemonics(c.code()));
        return out;
    }

    /**
     * The mnemonics in the code of the boot-test kernels ({@code src/guest/tests/*.c}, run and
     * checked by {@code KernelBootTest}): system instructions the host cannot run from user mode
     * (SYSENTER, IRETQ across rings, ...) are tested there. Builds them with the same script.
     */
    /** The mnemonics of a 32-bit kernel's code: its executable segment from the entry point (after the Multiboot header) on. */
    static Set<Mnemonic> protected32Mnemonics(Path elf) throws java.io.IOException {
        try {
            var f = org.jvmx.monitor.loader.Elf32File.parse(elf.toString(), java.nio.file.Files.readAllBytes(elf));
            for (var seg : f.segments()) {
                long start = seg.vaddr(), end = start + seg.filesz();
                if (!seg.isLoad() || !seg.isExecutable() || f.entry() < start || f.entry() >= end) continue; // PF_X holding the entry
                byte[] code = f.contents(seg);
                return Catalog.mnemonics(java.util.Arrays.copyOfRange(code, (int) (f.entry() - start), code.length), 32);
            }
        } catch (org.jvmx.monitor.loader.ElfException e) {
            throw new java.io.IOException(e);
        }
        throw new IllegalStateException(elf + ": no executable segment holds the entry point");
    }

    static Set<Mnemonic> kernelMnemonics() {
        Set<Mnemonic> out = EnumSet.noneOf(Mnemonic.class);
        try (var sources = java.nio.file.Files.list(Path.of("src", "guest", "tests"))) {
            // multiboot_*.c kernels mix 32- and 64-bit code, which one linear scan would misread: left out.
            // protected32_*.c kernels are 32-bit code from their entry to the end of the text.
            for (Path c : sources.filter(p -> p.toString().endsWith(".c")
                    && !org.jvmx.guest.boot.GuestKernels.isMultiboot(p.getFileName().toString())).sorted().toList()) {
                String name = c.getFileName().toString().replace(".c", "");
                Path elf = org.jvmx.guest.boot.GuestKernels.build(name);
                if (org.jvmx.guest.boot.GuestKernels.isProtected32(name)) {
                    out.addAll(protected32Mnemonics(elf));
                    continue;
                }
                org.jvmx.monitor.loader.ElfFile f = org.jvmx.monitor.loader.ElfFile.read(elf);
                for (var section : f.sections()) {
                    if ((section.flags() & 4) == 0 || section.size() == 0) continue; // SHF_EXECINSTR
                    out.addAll(Catalog.mnemonics(f.bytes(section)));
                }
            }
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException("boot-test kernels: " + e, e);
        }
        return out;
    }

    /** Instances of every concrete {@code org.jvmx.guest.sem} class implementing DirectedCases, found on disk. */
    static List<DirectedCases> directedTests() {
        List<DirectedCases> out = new ArrayList<>();
        Path dir;
        try {
            dir = Path.of(IsaCoverage.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve("org/jvmx/guest/sem");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".class") || n.contains("$")) continue;
                Class<?> c = Class.forName("org.jvmx.guest.sem." + n.substring(0, n.length() - 6));
                if (!DirectedCases.class.isAssignableFrom(c) || c.isInterface() || Modifier.isAbstract(c.getModifiers())) continue;
                Constructor<?> k = c.getDeclaredConstructor();
                k.setAccessible(true);
                out.add((DirectedCases) k.newInstance());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate a directed test: " + e, e);
        }
        return out;
    }

    /** The Markdown table. */
    static String markdown(List<Row> rows) {
        Map<String, List<Row>> byGroup = new LinkedHashMap<>();
        for (SpecForm f : SpecForm.all()) byGroup.putIfAbsent(f.group(), new ArrayList<>());
        for (Row r : rows) byGroup.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r);
        StringBuilder b = new StringBuilder();
        b.append("# ISA coverage\n\n");
        b.append("Generated by `IsaCoverageTest` (guest-tests, `org.jvmx.guest.fuzz`) from the decoder's mnemonic list;\n");
        b.append("do not edit. Regenerate after adding semantics or tests:\n\n```\n").append(UPDATE_COMMAND).append("\n```\n\n");
        b.append("A mnemonic's group is the spec file (`decoder/src/main/spec`) of its first form. *Implemented*: jvmx\n");
        b.append("has semantics for it (`Isa.implemented`). *Tested*: it occurs in the code of a directed test's cases\n");
        b.append("(`org.jvmx.guest.sem`, *d*), the random-sequence generator draws it on this host (*r*), or a boot-test\n");
        b.append("kernel (`src/guest/tests`, run by `KernelBootTest`) contains it (*k*). Every\n");
        b.append("implemented mnemonic must be tested. Mnemonics not implemented are listed after each group's table.\n\n");
        b.append("## Summary\n\n| group | mnemonics | implemented | tested | not implemented |\n|---|---:|---:|---:|---:|\n");
        int tm = 0, ti = 0, tt = 0;
        for (var e : byGroup.entrySet()) {
            List<Row> g = e.getValue();
            int impl = (int) g.stream().filter(Row::implemented).count();
            int tested = (int) g.stream().filter(r -> r.implemented() && r.tested()).count();
            b.append("| ").append(e.getKey()).append(" | ").append(g.size()).append(" | ").append(impl).append(" | ")
                    .append(tested).append(" | ").append(g.size() - impl).append(" |\n");
            tm += g.size();
            ti += impl;
            tt += tested;
        }
        b.append("| **all** | ").append(tm).append(" | ").append(ti).append(" | ").append(tt).append(" | ")
                .append(tm - ti).append(" |\n");
        for (var e : byGroup.entrySet()) {
            List<Row> g = e.getValue();
            b.append("\n## ").append(e.getKey()).append("\n\n");
            List<Row> impl = g.stream().filter(Row::implemented).toList();
            if (!impl.isEmpty()) {
                b.append("| mnemonic | CPUID | tested |\n|---|---|---|\n");
                for (Row r : impl) {
                    String t = String.join(" ", java.util.stream.Stream.of(r.directed() ? "d" : "", r.random() ? "r" : "",
                            r.kernel() ? "k" : "").filter(x -> !x.isEmpty()).toList());
                    b.append("| ").append(r.mnemonic()).append(" | ").append(String.join(" ", r.cpuid())).append(" | ")
                            .append(t.isEmpty() ? "**no**" : t).append(" |\n");
                }
                b.append('\n');
            }
            List<String> missing = g.stream().filter(r -> !r.implemented()).map(r -> r.mnemonic().name()).toList();
            if (!missing.isEmpty()) {
                StringBuilder line = new StringBuilder("Not implemented (" + missing.size() + "):");
                for (int i = 0; i < missing.size(); i++) {
                    String w = " " + missing.get(i) + (i == missing.size() - 1 ? "." : ",");
                    if (line.length() + w.length() > 100) {
                        b.append(line).append('\n');
                        line.setLength(0);
                        w = w.substring(1);
                    }
                    line.append(w);
                }
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }
}

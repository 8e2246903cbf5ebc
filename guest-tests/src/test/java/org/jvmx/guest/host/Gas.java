package org.jvmx.guest.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Assembles Intel-syntax snippets with GNU as (one {@code as} run for all of them). Each snippet
 * is assembled on its own line range between two labels; use numeric local labels ({@code 1:},
 * {@code 1b}, {@code 1f}) inside snippets. Bytes are position-independent unless a snippet
 * names absolute addresses. {@link #assembleEach} survives snippets the assembler rejects: it
 * maps each error line back to its snippet, blanks those and runs again.
 */
public final class Gas {
    private Gas() { }

    /** Per snippet: its bytes, or null and the assembler's message in {@code errors}. */
    public record Result(List<byte[]> code, Map<Integer, String> errors) {
    }

    private static final Pattern ERROR = Pattern.compile("^[^:]*:(\\d+): Error: (.*)$");

    public static byte[] assemble(String snippet) { return assemble(List.of(snippet)).getFirst(); }

    /** Every snippet's bytes; a snippet that does not assemble is an error naming it. */
    public static List<byte[]> assemble(List<String> snippets) {
        Result r = assembleEach(snippets);
        if (!r.errors().isEmpty()) {
            var first = r.errors().entrySet().iterator().next();
            throw new IllegalStateException("as failed on snippet " + first.getKey() + " ("
                    + snippets.get(first.getKey()).strip().replace('\n', ';') + "): " + first.getValue());
        }
        return r.code();
    }

    /** Every snippet's bytes, with the ones the assembler rejects left null and their messages collected. */
    public static Result assembleEach(List<String> snippets) {
        List<String> work = new ArrayList<>(snippets);
        Map<Integer, String> errors = new HashMap<>();
        for (int round = 0; round < 4; round++) {
            Map<Integer, String> e = new HashMap<>();
            List<byte[]> code = once(work, e);
            if (code != null) {
                for (int i : errors.keySet()) code.set(i, null);
                return new Result(code, errors);
            }
            if (e.isEmpty()) throw new IllegalStateException("gas: as failed without naming a line");
            for (var x : e.entrySet()) {
                errors.put(x.getKey(), x.getValue());
                work.set(x.getKey(), "");
            }
        }
        throw new IllegalStateException("gas: as keeps failing");
    }

    /** One as run; null with {@code errors} filled (snippet → message) when it failed. */
    private static List<byte[]> once(List<String> snippets, Map<Integer, String> errors) {
        try {
            Path dir = Files.createTempDirectory(HostCpu.get().executable().getParent(), "gas");
            try {
                StringBuilder s = new StringBuilder(".intel_syntax noprefix\n.text\n");
                List<Integer> lineOwner = new ArrayList<>(List.of(-1, -1, -1));
                for (int i = 0; i < snippets.size(); i++) {
                    s.append("s").append(i).append(":\n");
                    lineOwner.add(i);
                    for (String l : snippets.get(i).split("\n", -1)) {
                        s.append(l).append('\n');
                        lineOwner.add(i);
                    }
                    s.append("e").append(i).append(":\n");
                    lineOwner.add(i);
                }
                Path src = dir.resolve("s.s"), obj = dir.resolve("s.o"), bin = dir.resolve("s.bin"), syms = dir.resolve("s.nm");
                Files.writeString(src, s);
                String log = run(dir, null, "as", "--64", "-o", obj.toString(), src.toString());
                if (log != null) {
                    for (String line : log.split("\n")) {
                        Matcher m = ERROR.matcher(line.trim());
                        if (!m.matches()) continue;
                        int ln = Integer.parseInt(m.group(1));
                        if (ln < lineOwner.size() && lineOwner.get(ln) >= 0) errors.putIfAbsent(lineOwner.get(ln), m.group(2));
                    }
                    return null;
                }
                check(run(dir, null, "objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString()), "objcopy");
                check(run(dir, syms, "nm", obj.toString()), "nm");
                byte[] text = Files.readAllBytes(bin);
                long[] start = new long[snippets.size()], end = new long[snippets.size()];
                for (String line : Files.readAllLines(syms)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length != 3 || !f[2].matches("[se]\\d+")) continue;
                    int i = Integer.parseInt(f[2].substring(1));
                    (f[2].charAt(0) == 's' ? start : end)[i] = Long.parseLong(f[0], 16);
                }
                List<byte[]> out = new ArrayList<>();
                for (int i = 0; i < snippets.size(); i++) out.add(Arrays.copyOfRange(text, (int) start[i], (int) end[i]));
                return out;
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("gas: " + e.getMessage());
        }
    }

    private static void check(String failure, String tool) {
        if (failure != null) throw new IllegalStateException("gas: " + tool + " failed: " + failure.strip().lines().findFirst().orElse(""));
    }

    /** Runs a tool; its output when it failed, else null. */
    private static String run(Path dir, Path stdout, String... cmd) throws IOException {
        Path log = dir.resolve("log.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        if (stdout != null) pb.redirectOutput(stdout.toFile()).redirectError(log.toFile());
        else pb.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("gas: " + cmd[0] + " timed out");
            }
            return p.exitValue() == 0 ? null : Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException("gas: cannot run " + cmd[0] + " (binutils installed?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("gas: interrupted");
        }
    }
}

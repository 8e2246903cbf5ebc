package org.jvmx.guest.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * GNU as over many snippets in one run that, unlike {@link org.jvmx.guest.host.Gas}, survives
 * snippets it rejects: it maps each error line back to its snippet, blanks those and runs again.
 * Used to probe which way of writing a form the assembler accepts, and to name the culprit when a
 * generated batch does not assemble.
 */
final class ProbeAssembler {
    /** Per snippet: its bytes, or null and the assembler's message. */
    record Result(List<byte[]> code, Map<Integer, String> errors) {
    }

    private static final Pattern ERROR = Pattern.compile("^[^:]*:(\\d+): Error: (.*)$");

    private ProbeAssembler() {
    }

    static Result assemble(List<String> snippets) {
        List<String> work = new ArrayList<>(snippets);
        Map<Integer, String> errors = new HashMap<>();
        for (int round = 0; round < 4; round++) {
            Map<Integer, String> e = new HashMap<>();
            List<byte[]> code = run(work, e);
            if (code != null) {
                for (int i : errors.keySet()) code.set(i, null);
                return new Result(code, errors);
            }
            if (e.isEmpty()) throw new IllegalStateException("as failed without a line number");
            for (var x : e.entrySet()) {
                errors.put(x.getKey(), x.getValue());
                work.set(x.getKey(), "");
            }
        }
        throw new IllegalStateException("as keeps failing");
    }

    /** One as run; null with {@code errors} filled when it failed. */
    private static List<byte[]> run(List<String> snippets, Map<Integer, String> errors) {
        try {
            Path dir = Files.createTempDirectory("jvmx-probe");
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
                Path src = dir.resolve("p.s"), obj = dir.resolve("p.o"), bin = dir.resolve("p.bin"), nm = dir.resolve("p.nm");
                Files.writeString(src, s);
                String log = exec(dir, null, "as", "--64", "-o", obj.toString(), src.toString());
                if (log != null) {
                    for (String line : log.split("\n")) {
                        Matcher m = ERROR.matcher(line.trim());
                        if (m.matches()) {
                            int ln = Integer.parseInt(m.group(1));
                            if (ln < lineOwner.size() && lineOwner.get(ln) >= 0) errors.putIfAbsent(lineOwner.get(ln), m.group(2));
                        }
                    }
                    return null;
                }
                exec(dir, null, "objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString());
                exec(dir, nm, "nm", obj.toString());
                byte[] text = Files.readAllBytes(bin);
                long[] start = new long[snippets.size()], end = new long[snippets.size()];
                for (String line : Files.readAllLines(nm)) {
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
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command; returns its output when it failed, else null. */
    private static String exec(Path dir, Path stdout, String... cmd) throws IOException {
        Path log = dir.resolve("log.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        if (stdout != null) pb.redirectOutput(stdout.toFile()).redirectError(log.toFile());
        else pb.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd[0] + " timed out");
            }
            return p.exitValue() == 0 ? null : Files.readString(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}

package org.jvmx.guest.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Assembles Intel-syntax snippets with GNU as (one {@code as} run for all of them). Each snippet
 * is assembled on its own line range between two labels; use numeric local labels ({@code 1:},
 * {@code 1b}, {@code 1f}) inside snippets. Bytes are position-independent unless a snippet
 * names absolute addresses.
 */
public final class Gas {
    private Gas() { }

    public static byte[] assemble(String snippet) { return assemble(List.of(snippet)).getFirst(); }

    public static List<byte[]> assemble(List<String> snippets) {
        try {
            Path dir = Files.createTempDirectory(HostCpu.get().executable().getParent(), "gas");
            try {
                StringBuilder s = new StringBuilder(".intel_syntax noprefix\n.text\n");
                for (int i = 0; i < snippets.size(); i++)
                    s.append("s").append(i).append(":\n").append(snippets.get(i)).append("\ne").append(i).append(":\n");
                Path src = dir.resolve("s.s"), obj = dir.resolve("s.o"), bin = dir.resolve("s.bin"), syms = dir.resolve("s.nm");
                Files.writeString(src, s);
                run(dir, null, "as", "--64", "-o", obj.toString(), src.toString());
                run(dir, null, "objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString());
                run(dir, syms, "nm", obj.toString());
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

    private static void run(Path dir, Path stdout, String... cmd) throws IOException {
        Path log = dir.resolve("log.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        if (stdout != null) pb.redirectOutput(stdout.toFile()).redirectError(log.toFile());
        else pb.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IllegalStateException(cmd[0] + " failed: " + Files.readString(log).strip().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new IllegalStateException("gas: cannot run " + cmd[0] + " (binutils installed?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("gas: interrupted");
        }
    }
}

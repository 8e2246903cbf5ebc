package org.jvmx.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmx.cli.Main;
import org.junit.jupiter.api.Test;

/**
 * {@code jvmx disasm} against GNU objdump on Debian's busybox-static (about 1.5 MB of compiler
 * output): both must split {@code .text} into instructions at exactly the same addresses. The
 * oracle must be present (scripts/oracles.sh installs it): a missing one fails, never skips.
 */
class BusyboxDisasmTest {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final int SHOW = 12;

    /** The instruction lines of a listing: addresses ascending, and "bytes  text" for messages. */
    record Listing(long[] addr, String[] text, int bad) {
        int find(long a) {
            return Arrays.binarySearch(addr, a);
        }

        /** The instruction that covers {@code a} (the last one starting at or before it). */
        String covering(long a) {
            int i = find(a);
            if (i < 0) i = -i - 2;
            if (i < 0) return "(none)";
            return (addr[i] == a ? "" : "insn at " + Long.toHexString(addr[i]) + ": ") + text[i];
        }
    }

    @Test
    void instructionBoundariesOfTextMatchObjdump() throws Exception {
        String objdump = which("objdump");
        if (!Files.isRegularFile(BUSYBOX) || objdump == null) {
            fail("the decoder oracle is missing (" + (objdump == null ? "objdump" : BUSYBOX)
                    + "): run scripts/oracles.sh (installs busybox-static and binutils)");
        }
        Listing theirs = runObjdump(objdump);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20), err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"disasm", BUSYBOX.toString(), "--section", ".text"}, out, err);
        assertEquals(0, status, () -> "jvmx disasm failed: " + err.toString(StandardCharsets.UTF_8));
        Listing ours = parse(new InputStreamReader(new ByteArrayInputStream(out.toByteArray()), StandardCharsets.UTF_8));
        assertTrue(theirs.addr().length > 100_000, "objdump listed only " + theirs.addr().length + " instructions");

        // merge the two sorted address lists; collect the symmetric difference
        List<Long> diff = new ArrayList<>();
        int onlyOurs = 0, onlyTheirs = 0;
        int i = 0, j = 0;
        while (i < ours.addr().length || j < theirs.addr().length) {
            long a = i < ours.addr().length ? ours.addr()[i] : Long.MAX_VALUE;
            long b = j < theirs.addr().length ? theirs.addr()[j] : Long.MAX_VALUE;
            if (a == b) {
                i++;
                j++;
            } else if (Long.compareUnsigned(a, b) < 0) {
                onlyOurs++;
                if (diff.size() < SHOW) diff.add(a);
                i++;
            } else {
                onlyTheirs++;
                if (diff.size() < SHOW) diff.add(b);
                j++;
            }
        }
        if (onlyOurs + onlyTheirs == 0) return;
        StringBuilder sb = new StringBuilder();
        sb.append("jvmx disasm and objdump -d -M intel disagree on instruction boundaries in ").append(BUSYBOX)
                .append(" .text: ").append(onlyOurs).append(" addresses only jvmx has, ").append(onlyTheirs)
                .append(" only objdump has (jvmx ").append(ours.addr().length).append(" instructions, ").append(ours.bad())
                .append(" (bad); objdump ").append(theirs.addr().length).append(", ").append(theirs.bad())
                .append(" (bad)). First differing addresses:");
        for (long a : diff) {
            sb.append("\n  ").append(Long.toHexString(a)).append(ours.find(a) >= 0 ? " (jvmx only)" : " (objdump only)")
                    .append("\n      jvmx:    ").append(ours.covering(a))
                    .append("\n      objdump: ").append(theirs.covering(a));
        }
        fail(sb.toString());
    }

    private static Listing runObjdump(String objdump) throws IOException, InterruptedException {
        // -z: list runs of zero bytes too (objdump otherwise prints "..." and skips them)
        Process p = new ProcessBuilder(objdump, "-d", "-M", "intel", "-z", "--section=.text", BUSYBOX.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Listing l;
        try (Reader r = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
            l = parse(r);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("objdump did not finish in 120 s");
        }
        if (p.exitValue() != 0) fail("objdump exited with status " + p.exitValue());
        return l;
    }

    /**
     * Parses {@code "  401000:\t48 89 e5             \tmov    rbp,rsp"} lines; a line without the
     * second tab continues the previous instruction's bytes.
     */
    static Listing parse(Reader reader) throws IOException {
        long[] addr = new long[1 << 16];
        List<String> text = new ArrayList<>(1 << 16);
        int n = 0, bad = 0;
        try (BufferedReader br = new BufferedReader(reader, 1 << 16)) {
            String line;
            while ((line = br.readLine()) != null) {
                int colon = line.indexOf(":\t");
                if (colon < 0) continue;
                String a = line.substring(0, colon).strip();
                if (a.isEmpty() || !isHex(a)) continue;
                int tab2 = line.indexOf('\t', colon + 2);
                if (tab2 < 0) { // continuation bytes
                    if (n > 0) {
                        String prev = text.get(n - 1);
                        int sep = prev.indexOf(" | ");
                        text.set(n - 1, prev.substring(0, sep) + " " + line.substring(colon + 2).strip() + prev.substring(sep));
                    }
                    continue;
                }
                if (n == addr.length) addr = Arrays.copyOf(addr, n * 2);
                addr[n++] = Long.parseUnsignedLong(a, 16);
                String insn = line.substring(tab2 + 1);
                if (insn.contains("(bad)")) bad++;
                text.add(line.substring(colon + 2, tab2).strip() + " | " + insn);
            }
        }
        return new Listing(Arrays.copyOf(addr, n), text.toArray(new String[0]), bad);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }

    private static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }
}

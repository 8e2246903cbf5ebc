package org.jvmx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvmx demo}: the embedded kernel boots, shows each feature on the console, and exits 0. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DemoCommandTest {
    @TempDir
    Path dir;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"mixed", "interpret", "jit"})
    void demoPrintsItsPictureAndStatsAndExitsZero(String tier) {
        MainTest.Result r = MainTest.run("demo", "--tier", tier);
        assertEquals(0, r.status(), r.toString());
        String out = r.out();
        assertTrue(out.contains("jvmx demo kernel: running in 64-bit mode"), out);
        assertTrue(out.contains("page faults handled: 2 (value read back 0x1235)"), out);
        assertTrue(out.contains("hello from the guest, printed by the monitor through a hypercall"), out);
        assertTrue(out.contains("timer: 10 local APIC timer interrupts at 100 Hz"), out);
        // The Mandelbrot set: 24 rows of 72 columns, symmetric about the real axis, its body made of '@'.
        String[] lines = out.substring(out.indexOf("Hz\r\n") + 4, out.indexOf("done")).split("\r\n");
        assertEquals(24, lines.length, out);
        for (int y = 0; y < 24; y++) assertEquals(72, lines[y].length(), lines[y]);
        for (int y = 1; y < 12; y++) assertEquals(lines[y], lines[24 - y], "row " + y);
        assertTrue(lines[12].contains("@@@@@@@@@@@@@@@@@@@@"), lines[12]);
        assertTrue(out.contains("done"), out);
        String err = r.err();
        assertTrue(err.contains("VM exits:") && err.contains("HLT=") && err.contains("VMCALL=1")
                && err.contains("IO_INSTRUCTION="), err);
        assertTrue(err.contains("MIPS"), err);
    }

    /** The image the jar carries is exactly what the sources in guest-tests/src/guest/demo build. */
    @Test
    void embeddedKernelEqualsWhatTheSourcesBuild() throws Exception {
        Path script = Path.of("..", "guest-tests", "src", "guest", "demo", "build.sh").toAbsolutePath();
        Process p = new ProcessBuilder("sh", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        byte[] built = Files.readAllBytes(dir.resolve("demo-kernel.elf"));
        byte[] carried;
        try (InputStream in = DemoCommand.class.getResourceAsStream(DemoCommand.RESOURCE)) {
            carried = in.readAllBytes();
        }
        assertArrayEquals(built, carried);
    }
}

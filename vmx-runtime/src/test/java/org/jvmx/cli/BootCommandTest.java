package org.jvmx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvmx boot}: an ELF64 kernel boots; a malformed image is one line and status 2. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BootCommandTest {
    @TempDir
    Path dir;

    static byte[] demo() throws Exception {
        try (InputStream in = DemoCommand.class.getResourceAsStream(DemoCommand.RESOURCE)) {
            return in.readAllBytes();
        }
    }

    Path write(String name, byte[] b) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    @Test
    void bootsTheDemoKernelWithItsDebugExitStatus() throws Exception {
        Path k = write("kernel.elf", demo());
        MainTest.Result r = MainTest.run("boot", k.toString(), "--mem", "32M", "--stats");
        assertEquals(1, r.status(), "debug-exit status (0 << 1) | 1: " + r);
        assertTrue(r.out().contains("done"), r.out());
        assertTrue(r.err().contains("VM exits:"), r.err());
    }

    /** Program header {@code i}'s field at {@code off} (ELF64: p_paddr 24, p_memsz 40). */
    static void setPhdr(byte[] elf, int i, int off, long v) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int size = b.getShort(0x36);
        b.putLong((int) phoff + i * size + off, v);
    }

    @Test
    void malformedImagesAreOneLineAndStatusTwo() throws Exception {
        byte[] good = demo();
        byte[] truncated = Arrays.copyOf(good, 100);
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        byte[] overlap = good.clone();
        long paddr0 = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN)
                .getLong((int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0x20) + 24);
        setPhdr(overlap, 1, 24, paddr0);
        setPhdr(overlap, 1, 32, 0x1000);
        byte[] entryOutside = good.clone();
        ByteBuffer.wrap(entryOutside).order(ByteOrder.LITTLE_ENDIAN).putLong(0x18, 0x90_0000);
        byte[] tooBig = good.clone();
        setPhdr(tooBig, 1, 40, 0x1000_0000L);
        for (var c : new Object[][] {{"truncated", truncated}, {"magic", badMagic}, {"overlap", overlap},
                {"entry", entryOutside}, {"toobig", tooBig}}) {
            Path p = write(c[0] + ".elf", (byte[]) c[1]);
            String line = MainTest.assertUserError(MainTest.run("boot", p.toString(), "--mem", "16M"));
            assertTrue(line.contains(c[0] + ".elf"), c[0] + ": " + line);
        }
        String line = MainTest.assertUserError(MainTest.run("boot", write("k.elf", good).toString(), "--mem", "lots"));
        assertTrue(line.contains("--mem"), line);
        assertTrue(MainTest.assertUserError(MainTest.run("boot", dir.resolve("missing.elf").toString()))
                .contains("missing.elf"));
    }
}

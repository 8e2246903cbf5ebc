package org.jvmx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvmx exec}: runs to HLT in each tier, reports exceptions and unimplemented opcodes, rejects bad input in one line. */
class ExecCommandTest {
    @TempDir
    Path dir;

    Path file(int... bytes) throws Exception {
        byte[] b = new byte[bytes.length];
        for (int k = 0; k < b.length; k++) b[k] = (byte) bytes[k];
        Path p = dir.resolve("code.bin");
        Files.write(p, b);
        return p;
    }

    @Test
    void runsToHaltInEveryTier() throws Exception {
        // push 0x2a; pop rbx; jmp +0; hlt
        Path p = file(0x6A, 0x2A, 0x5B, 0xEB, 0x00, 0xF4);
        for (String tier : new String[] {"interpret", "jit", "mixed"}) {
            MainTest.Result r = MainTest.run("exec", p.toString(), "--tier", tier, "--stats");
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().contains("rbx=000000000000002a"), r.out());
            assertTrue(r.out().contains("halted at 0x1006"), r.out());
            assertTrue(r.out().contains("stats: 4 instructions"), r.out());
        }
    }

    @Test
    void unimplementedInstructionIsUdAndCounted() throws Exception {
        Path p = file(0xC5, 0xF4, 0x58, 0xC2, 0xF4); // vaddps ymm0, ymm1, ymm2 (AVX is not implemented); hlt
        MainTest.Result r = MainTest.run("exec", p.toString(), "--stats");
        assertEquals(ExecCommand.EXIT_GUEST_FAULT, r.status(), r.toString());
        assertTrue(r.out().contains("guest exception FAULT #UD (vector 6)"), r.out());
        assertTrue(r.out().contains("{VADDPS=1}"), r.out());
    }

    @Test
    void instructionLimit() throws Exception {
        Path p = file(0xEB, 0xFE); // jmp $
        MainTest.Result r = MainTest.run("exec", p.toString(), "--max-instructions", "1000");
        assertEquals(ExecCommand.EXIT_GUEST_FAULT, r.status(), r.toString());
        assertTrue(r.out().contains("stopped: BUDGET"), r.out());
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path p = file(0xF4);
        assertEquals("jvmx: exec: --tier: 'fast' is not interpret, jit or mixed (see 'jvmx exec --help')",
                MainTest.assertUserError(MainTest.run("exec", p.toString(), "--tier", "fast")));
        assertTrue(MainTest.assertUserError(MainTest.run("exec", dir.resolve("nope").toString())).contains("nope"));
        assertTrue(MainTest.assertUserError(MainTest.run("exec", p.toString(), "--mem", "0")).contains("--mem"));
        assertTrue(MainTest.assertUserError(MainTest.run("exec", p.toString(), "--base", "ffffffff")).contains("do not fit"));
    }
}

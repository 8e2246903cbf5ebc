package org.jvmx.guest.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmx.monitor.Machine;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.ExecStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guest kernels whose code is 32-bit (the Multiboot entry before the switch to long mode,
 * and kernels that stay in protected mode) booted with {@link Engine.Tier#COMPILE}: every block,
 * 32-bit ones included, runs as compiled code; the kernels' own checks must pass as they do
 * interpreted ({@link KernelBootTest}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelBootCompiledTest {
    record Boot(Machine.Result result, String console, ExecStats stats) {
    }

    static Boot boot(String name) throws Exception {
        return boot(name, Engine.Tier.COMPILE);
    }

    static Boot boot(String name, Engine.Tier tier) throws Exception {
        Path out = GuestKernels.build(name);
        StringBuilder console = new StringBuilder();
        try (Machine m = new Machine(KernelBootTest.MEM, b -> console.append((char) b), tier)) {
            m.load(name, Files.readAllBytes(out), "", List.of());
            Machine.Result r = m.run();
            return new Boot(r, console.toString().replace("\r\n", "\n"), m.cpu().stats());
        }
    }

    static void assertSucceeded(Boot b, List<String> lines) {
        assertEquals(Machine.Ending.DEBUG_EXIT, b.result().ending(), b.result() + "\n" + b.console());
        assertEquals(1, b.result().status(), b.console());
        for (String line : lines) assertTrue(b.console().contains(line + "\n"), line + " in\n" + b.console());
        assertTrue(b.stats().compiled > b.stats().interpreted, b.stats().toString());
        assertTrue(b.stats().regionsCompiled > 0, b.stats().toString());
    }

    @Test
    void multibootEntryRunsCompiledThroughTheSwitchToLongMode() throws Exception {
        assertSucceeded(boot("multiboot_modeswitch"), List.of(
                "multiboot magic 0x2badb002, info flags 0x24d, mem_upper 31680 KiB",
                "64-bit mode: CS 0x8, EFER.LME 1 LMA 1"));
    }

    /**
     * A kernel that never leaves 32-bit code ends exactly as it does interpreted (same ending,
     * same console; {@link KernelBootTest} checks the lines) and succeeds, with most instructions
     * run compiled.
     */
    static void assertAgreesWithTheInterpreter(String name) throws Exception {
        Boot want = boot(name, Engine.Tier.INTERPRET);
        Boot got = boot(name, Engine.Tier.COMPILE);
        assertEquals(want.result(), got.result(), got.console());
        assertEquals(want.console(), got.console());
        assertEquals(Machine.Ending.DEBUG_EXIT, got.result().ending(), got.console());
        assertEquals(1, got.result().status(), got.console());
        assertTrue(got.stats().compiled > got.stats().interpreted, got.stats().toString());
    }

    @Test
    void protectedModeKernelRunsCompiled() throws Exception {
        assertAgreesWithTheInterpreter("protected32_paging");
    }

    @Test
    void paeKernelRunsCompiled() throws Exception {
        assertAgreesWithTheInterpreter("protected32_pae");
    }
}

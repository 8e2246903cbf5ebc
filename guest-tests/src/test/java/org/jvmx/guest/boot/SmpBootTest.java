package org.jvmx.guest.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmx.cli.Main;
import org.jvmx.monitor.Machine;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vmx.vmcs.ExitReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SMP guest kernel ({@code src/guest/tests/protected32_smp.c}) on machines with several
 * vCPUs: the BSP starts every AP through INIT-SIPI-SIPI (real-mode start-up code emulated by the
 * monitor, then protected mode under VMX), each AP reports its APIC ID, the BSP collects them and
 * runs two broadcast-IPI shootdown rounds that every AP acknowledges.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SmpBootTest {
    static final long MEM = 32L << 20;

    record Boot(Machine.Result result, String console, Machine machine) { }

    static Boot boot(int cpus, Engine.Tier tier) throws Exception {
        return boot(cpus, 0, tier);
    }

    static Boot boot(int cpus, int workers, Engine.Tier tier) throws Exception {
        Path out = GuestKernels.build("protected32_smp");
        StringBuilder console = new StringBuilder();
        Machine m = new Machine(MEM, b -> {
            synchronized (console) {
                console.append((char) b);
            }
        }, tier, cpus);
        m.setWorkers(workers);
        try (m) {
            m.load("protected32_smp", Files.readAllBytes(out), "cpus=" + cpus, List.of());
            Machine.Result r = m.run();
            synchronized (console) {
                return new Boot(r, console.toString().replace("\r\n", "\n"), m);
            }
        }
    }

    static void assertBooted(Boot b, int cpus) {
        String c = b.console();
        assertEquals(Machine.Ending.DEBUG_EXIT, b.result().ending(), b.result() + "\n" + c);
        assertEquals(1, b.result().status(), c);
        assertTrue(c.startsWith("BSP 0 starting " + (cpus - 1) + " APs\n"), c);
        StringBuilder ids = new StringBuilder();
        for (int id = 1; id < cpus; id++) {
            int n = id;
            assertEquals(1, c.lines().filter(l -> l.equals("AP " + n + " up")).count(), c);
            ids.append(' ').append(id);
        }
        assertTrue(c.contains("\n" + (cpus - 1) + " APs up:" + ids + "\n"), c);
        for (String v : List.of("5a5a0001", "5a5a0002")) {
            String line = "shootdown 0x" + v + ": " + (cpus - 1) + " acks, " + (cpus - 1) + " APs saw the value";
            assertTrue(c.contains(line + "\n"), "missing '" + line + "' in:\n" + c);
        }
        // Every line is whole: console bytes of concurrent vCPUs do not interleave inside a line.
        long expected = 1 + (cpus - 1) + 1 + 2;
        assertEquals(expected, c.lines().count(), c);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void apsStartThroughInitSipiSipiAndAnswerBroadcastIpis(int cpus) throws Exception {
        Boot b = boot(cpus, Engine.Tier.MIXED);
        assertBooted(b, cpus);
        var exits = b.machine().exitCounts();
        assertEquals(cpus - 1, exits.getOrDefault(ExitReason.STARTUP_IPI, 0L), "one SIPI exit per AP: " + exits);
    }

    @Test
    void fourProcessorsInterpreted() throws Exception {
        assertBooted(boot(4, Engine.Tier.INTERPRET), 4);
    }

    @Test
    void oneProcessorStillBoots() throws Exception {
        Boot b = boot(1, Engine.Tier.MIXED);
        assertEquals(Machine.Ending.DEBUG_EXIT, b.result().ending(), b.result() + "\n" + b.console());
        assertEquals("BSP 0 starting 0 APs\n0 APs up:\n", b.console());
    }

    @Test
    void cpusOptionRejectsBadValuesInOneLine() throws Exception {
        Path k = GuestKernels.build("protected32_smp");
        for (String bad : List.of("0", "-1", "256", "two", "")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int status = Main.run(new String[] {"boot", k.toString(), "--cpus", bad}, out, err);
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, e);
            assertEquals("", out.toString(StandardCharsets.UTF_8));
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.startsWith("jvmx: boot: --cpus: "), e);
            assertFalse(e.contains("Exception"), e);
        }
    }

    /**
     * More vCPUs than workers (the scheduler multiplexes them, halted APs leave the run queue and
     * IPIs wake them), and one vCPU per worker: the same console; and the
     * vCPUs really were scheduled (VMRESUME on the same core, VMLAUNCH exactly after migrations).
     */
    @ParameterizedTest
    @CsvSource({"4, 1", "4, 2", "2, 2", "3, 2", "2, 1"})
    void vcpusScheduledOnWorkers(int cpus, int workers) throws Exception {
        Boot b = boot(cpus, workers, Engine.Tier.MIXED);
        assertBooted(b, cpus);
        String stats = b.machine().stats();
        assertTrue(stats.contains("stats: scheduler: " + workers + " workers"), stats);
        long launches = 0, migrations = 0;
        for (int i = 0; i < cpus; i++) {
            launches += b.machine().cpu(i).launches();
            migrations += b.machine().cpu(i).migrations();
            assertTrue(b.machine().cpu(i).resumes() > 0, "vCPU " + i + " resumed on its core: " + stats);
        }
        // The monitor prepares each vCPU on its private core before the scheduler takes it, so every
        // VMLAUNCH follows a migration (VMCLEAR there, VMPTRLD on the worker's core) and nothing else does.
        assertEquals(migrations, launches, "a VMLAUNCH exactly after each migration: " + stats);
        assertTrue(launches >= cpus, stats);
    }

    @Test
    void workersOptionRejectsBadValuesInOneLine() throws Exception {
        Path k = GuestKernels.build("protected32_smp");
        for (String bad : new String[] {"0", "-2", "257", "many"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int status = Main.run(new String[] {"boot", k.toString(), "--cpus", "2", "--workers", bad}, out, err);
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, e);
            assertTrue(e.startsWith("jvmx: boot: --workers: "), e);
            assertEquals(1, e.strip().lines().count(), e);
        }
    }

    @Test
    void cpusOptionBootsTheSmpKernel() throws Exception {
        Path k = GuestKernels.build("protected32_smp");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"boot", k.toString(), "--cpus", "3", "--mem", "32M", "--cmdline", "cpus=3"},
                out, err);
        String o = out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
        assertEquals(1, status, o + err.toString(StandardCharsets.UTF_8)); // the debug-exit status (0 << 1) | 1
        assertTrue(o.contains("2 APs up: 1 2\n"), o);
    }
}

package org.jvmx.guest.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jvmx.monitor.Machine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guest kernels built from {@code src/guest/tests} at test time (gcc, GNU ld) boot on a
 * {@link Machine} and each checks one thing, reported on the serial console and through the
 * debug-exit status ((0 << 1) | 1 = 1 for success).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelBootTest {
    static final long MEM = 32L << 20;

    record Boot(Machine.Result result, String console) { }

    /** Builds {@code src/guest/tests/NAME.c} with the shared library and boots it. */
    static Boot boot(String name) throws Exception {
        return boot(name, m -> { });
    }

    /** As {@link #boot(String)}; {@code whileRunning} gets the machine from another thread once it runs. */
    static Boot boot(String name, java.util.function.Consumer<Machine> whileRunning) throws Exception {
        Path out = GuestKernels.build(name);
        StringBuilder console = new StringBuilder();
        try (Machine m = new Machine(MEM, b -> console.append((char) b))) {
            m.load(name, Files.readAllBytes(out), "", List.of());
            Thread t = Thread.ofPlatform().start(() -> whileRunning.accept(m));
            Machine.Result r = m.run();
            t.join();
            return new Boot(r, console.toString().replace("\r\n", "\n"));
        }
    }

    static void assertSucceeded(Boot b) {
        assertEquals(Machine.Ending.DEBUG_EXIT, b.result().ending(), b.result() + "\n" + b.console());
        assertEquals(1, b.result().status(), b.console());
    }

    @Test
    void multibootKernelSwitchesFrom32BitProtectedModeToLongMode() throws Exception {
        Boot b = boot("multiboot_modeswitch");
        assertSucceeded(b);
        assertTrue(b.console().contains("multiboot magic 0x2badb002, info flags 0x24d, mem_upper 31680 KiB\n"), b.console());
        assertTrue(b.console().contains("64-bit mode: CS 0x8, EFER.LME 1 LMA 1\n"), b.console());
    }

    @Test
    void kernelStaysIn32BitProtectedModeWithPagingInterruptsAndRing3() throws Exception {
        Boot b = boot("protected32_paging");
        assertSucceeded(b);
        for (String line : List.of(
                "paging on: CR0.PG 1 WP 1 CR4.PSE 1",
                "#PF at 0x801000 error 0x0 from CPL 0",
                "read after fault: 0x600df00d",
                "#PF at 0x802000 error 0x3 from CPL 0",
                "write after fault: 7",
                "page directory accessed 1, PTE dirty 1",
                "vector 0 error 0x0",
                "vector 6 error 0x0",
                "vector 13 error 0x30",
                "int 40: vector 40 eflags.IF 0",
                "syscall from CS 0x1b SS 0x23 on the TSS stack 1: hello from ring 3",
                "sysenter: CS 0x8 SS 0x10",
                "syscall from CS 0x1b SS 0x23 on the TSS stack 1: back in ring 3 after sysexit",
                "#PF at 0x400000 error 0x5 from CPL 3",
                "exit syscall from CPL 3",
                "timer interrupts: 10 or more",
                "protected32 done")) {
            assertTrue(b.console().contains(line + "\n"), line + " in\n" + b.console());
        }
    }

    @Test
    void kernelRunsWithPaePagingAndExecuteDisableWithoutLongMode() throws Exception {
        Boot b = boot("protected32_pae");
        assertSucceeded(b);
        for (String line : List.of(
                "CPUID: NX 1",
                "PAE paging on: CR0.PG 1 CR4.PAE 1 EFER.NXE 1 LMA 0",
                "#PF at 0x1001000 error 0x11",
                "execute-disabled page ran after the fault",
                "#PF at 0x1002000 error 0x9",
                "reserved-bit page reads 0x5afe after the fault",
                "2 MiB PDE accessed 1, 4 KiB PTE accessed 1",
                "pae done")) {
            assertTrue(b.console().contains(line + "\n"), line + " in\n" + b.console());
        }
    }

    @Test
    void exceptionVectorsWithAndWithoutErrorCodes() throws Exception {
        Boot b = boot("exceptions");
        assertSucceeded(b);
        for (String line : List.of(
                "#DE div by zero: vector 0 error 0x0",
                "#BP int3: vector 3 error 0x0",
                "#UD ud2: vector 6 error 0x0",
                "#UD into: vector 6 error 0x0",
                "#NM with CR0.TS: vector 7 error 0x0",
                "#NP segment not present: vector 11 error 0x28",
                "#SS non-canonical stack: vector 12 error 0x0",
                "#GP non-canonical: vector 13 error 0x0",
                "#PF read at 0x7f0000000000: vector 14 error 0x0",
                "#PF write at 0x7f0000001000: vector 14 error 0x2",
                "#XM divide by zero unmasked: vector 19 error 0x0",
                "int 0x40: vector 64 error 0x0",
                "int 0xff: vector 255 error 0x0",
                "#DF: vector 8 error 0x0",
                "exceptions done")) {
            assertTrue(b.console().contains(line + "\n"), line + " in\n" + b.console());
        }
    }

    @Test
    void userModeThroughIretqSyscallBackAndIstStacks() throws Exception {
        Boot b = boot("usermode");
        assertSucceeded(b);
        assertTrue(b.console().contains("syscall from ring 3: hello, CPL 3 (kernel CS 0x8)\n"), b.console());
        assertTrue(b.console().contains("#GP from CS 0x23 error 0x0, handler on the TSS.RSP0 stack: yes\n"), b.console());
        assertTrue(b.console().contains("#BP from CS 0x23, handler on the IST1 stack: yes\n"), b.console());
        assertTrue(b.console().contains("user mode done\n"), b.console());
    }

    @Test
    void sysenterAndSysexitqBetweenRings() throws Exception {
        Boot b = boot("sysenter");
        assertSucceeded(b);
        assertTrue(b.console().contains("sysenter: kernel CS 0x8 SS 0x10\nsysenter done\n"), b.console());
    }

    @Test
    void pitInterruptsArriveAtTheProgrammedRate() throws Exception {
        Boot b = boot("pit");
        assertSucceeded(b);
        Matcher m = Pattern.compile("pit: 50 ticks in (\\d+) TSC cycles").matcher(b.console());
        assertTrue(m.find(), b.console());
        long cycles = Long.parseLong(m.group(1)); // jvmx's TSC counts nanoseconds
        assertTrue(Math.abs(cycles - 500_000_000L) <= PIT_TOLERANCE * 500_000_000L,
                "50 PIT periods of 10 ms took " + cycles / 1e6 + " ms of guest time");
    }

    @Test
    void localApicTimerInterruptsArriveAtTheProgrammedRate() throws Exception {
        Boot b = boot("lapic");
        assertSucceeded(b);
        assertTrue(b.console().contains("lapic: x2APIC id 0, version 0x14\n"), b.console());
        Matcher m = Pattern.compile("lapic: 50 ticks in (\\d+) TSC cycles").matcher(b.console());
        assertTrue(m.find(), b.console());
        long cycles = Long.parseLong(m.group(1));
        assertTrue(Math.abs(cycles - 500_000_000L) <= PIT_TOLERANCE * 500_000_000L,
                "50 local APIC timer periods of 10 ms took " + cycles / 1e6 + " ms of guest time");
    }

    /** Allowed deviation of the PIT rate measured in guest time. */
    static final double PIT_TOLERANCE = 0.10;

    @Test
    void rtcTellsTheHostTime() throws Exception {
        LocalDateTime before = LocalDateTime.now().withNano(0);
        Boot b = boot("rtc");
        assertSucceeded(b);
        Matcher m = Pattern.compile("rtc-fields (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)").matcher(b.console());
        assertTrue(m.find(), b.console());
        int[] f = new int[7];
        for (int i = 0; i < 7; i++) f[i] = Integer.parseInt(m.group(i + 1));
        LocalDateTime guest = LocalDateTime.of(f[0] * 100 + f[1], f[2], f[3], f[4], f[5], f[6]);
        assertTrue(Math.abs(Duration.between(before, guest).toSeconds()) <= 5, "guest " + guest + " host " + before);
    }

    @Test
    void i8042ResetsTheMachine() throws Exception {
        Boot b = boot("reset");
        assertEquals(Machine.Ending.RESET, b.result().ending(), b.console());
        assertTrue(b.console().contains("resetting through the i8042"), b.console());
    }

    @Test
    void serialConsoleInputReachesTheGuest() throws Exception {
        Boot b = boot("echo", m -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            byte[] line = "hello, guest\n".getBytes();
            m.input(line, line.length);
        });
        assertSucceeded(b);
        assertTrue(b.console().contains("ready\ngot: hello, guest\n"), b.console());
    }

    @Test
    void uartRaisesItsTransmitterInterrupt() throws Exception {
        Boot b = boot("uart_irq");
        assertSucceeded(b);
        assertTrue(b.console().contains("uart: 1 interrupt(s), IIR 0x2"), b.console());
    }
}

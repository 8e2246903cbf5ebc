package org.jvmx.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vmx.vmcs.ExitReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Machine serves the I/O APIC through MMIO exits (EPT violations) while the local APIC stays in the runtime. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MachineIoApicTest {
    @TempDir
    Path dir;

    byte[] kernel(String body) throws Exception {
        return TinyMultibootKernel.build(dir, body);
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void ioApicRegistersThroughMmioExits(Engine.Tier tier) throws Exception {
        byte[] k = kernel("""
                movl $0x01, 0xFEC00000
                mov 0xFEC00010, %eax
                mov %eax, 0x2000
                movl $0x12, 0xFEC00000
                movl $0x10031, 0xFEC00010
                mov 0xFEC00010, %eax
                mov %eax, 0x2004
                mov 0xFEC00000, %eax
                mov %eax, 0x2008
                mov 0xFEE00030, %eax
                mov %eax, 0x200c
                hlt
                """);
        try (Machine m = new Machine(32 << 20, b -> { }, tier)) {
            m.load("k.elf", k, "", List.of());
            Machine.Result r = m.run();
            assertEquals(Machine.Ending.HALTED, r.ending(), r.toString());
            assertEquals(0x0017_0020L, m.vm().readValue(0x2000, 4), "version register: 24 entries, version 20H");
            assertEquals(0x10031, m.vm().readValue(0x2004, 4), "redirection entry 1 low half reads back");
            assertEquals(0x12, m.vm().readValue(0x2008, 4), "IOREGSEL reads back");
            assertEquals(0x14, m.vm().readValue(0x200c, 4) & 0xFF, "the local APIC answers in the runtime");
            assertEquals(6L, m.exitCounts().get(ExitReason.EPT_VIOLATION), "one exit per I/O APIC access: " + m.exitCounts());
        }
    }

    @Test
    void executingFromMmioEndsTheRun() throws Exception {
        byte[] k = kernel("""
                mov $0xFEC00000, %eax
                jmp *%eax
                """);
        try (Machine m = new Machine(32 << 20, b -> { })) {
            m.load("k.elf", k, "", List.of());
            Machine.Result r = m.run();
            assertEquals(Machine.Ending.UNHANDLED_EXIT, r.ending(), r.toString());
            assertTrue(r.detail().contains("executes from MMIO"), r.detail());
        }
    }
}

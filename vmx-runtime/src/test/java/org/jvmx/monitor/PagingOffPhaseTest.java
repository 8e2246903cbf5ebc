package org.jvmx.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Multiboot kernel's paging-off phase as the guest sees it: CR0.PG = 0, CR4 and EFER as it set
 * them, CR3 as it wrote it, although the vCPU really runs in IA-32e mode on the monitor's tables.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PagingOffPhaseTest {
    @TempDir
    Path dir;

    byte[] kernel(String body) throws Exception {
        return TinyMultibootKernel.build(dir, body);
    }

    @Test
    void theGuestSeesItsOwnControlRegistersAndEfer() throws Exception {
        byte[] k = kernel("""
                mov %cr0, %eax
                mov %eax, 0x2000
                mov $0x12345000, %eax
                mov %eax, %cr3
                mov %cr3, %ebx
                mov %ebx, 0x2004
                mov $0xC0000080, %ecx
                rdmsr
                mov %eax, 0x2008
                or $0x100, %eax
                wrmsr
                rdmsr
                mov %eax, 0x200c
                mov %cr4, %eax
                mov %eax, 0x2010
                hlt
                """);
        try (Machine m = new Machine(32 << 20, b -> { })) {
            m.load("k.elf", k, "", List.of());
            Machine.Result r = m.run();
            assertEquals(Machine.Ending.HALTED, r.ending(), r.toString());
            assertEquals(0, m.vm().readValue(0x2000, 4) & 0x8000_0000L, "CR0.PG reads 0");
            assertEquals(1, m.vm().readValue(0x2000, 4) & 1, "CR0.PE reads 1");
            assertEquals(0x12345000, m.vm().readValue(0x2004, 4), "CR3 reads what was written");
            assertEquals(0, m.vm().readValue(0x2008, 4), "EFER starts clear");
            assertEquals(0x100, m.vm().readValue(0x200c, 4), "LME set, LMA not");
            assertEquals(0, m.vm().readValue(0x2010, 4), "CR4.PAE (and VMXE) hidden");
        }
    }

    @Test
    void pagingWithEferLmeButWithoutPaeIsAGeneralProtectionFault() throws Exception {
        // No IDT: the #GP cannot be delivered, #DF neither, and the processor shuts down.
        byte[] k = kernel("""
                mov $0xC0000080, %ecx
                rdmsr
                or $0x100, %eax
                wrmsr
                mov %cr0, %eax
                or $0x80000000, %eax
                mov %eax, %cr0
                hlt
                """);
        try (Machine m = new Machine(32 << 20, b -> { })) {
            m.load("k.elf", k, "", List.of());
            Machine.Result r = m.run();
            assertEquals(Machine.Ending.TRIPLE_FAULT, r.ending(), r.toString());
        }
    }

    @Test
    void aGuestThatTurnsOn32BitPagingWithoutLongModeRunsOnItsOwnTables() throws Exception {
        // A page directory at 0x10000 with two 4 MiB pages: linear 0 -> physical 0 and
        // linear 0x40000000 -> physical 0; a store through the alias lands at physical 0x3000.
        byte[] k = kernel("""
                movl $0x83, 0x10000
                movl $0x83, 0x10000 + 0x100 * 4
                mov %cr4, %eax
                or $0x10, %eax
                mov %eax, %cr4
                mov $0x10000, %eax
                mov %eax, %cr3
                mov %cr0, %eax
                or $0x80000000, %eax
                mov %eax, %cr0
                movl $0xC0FFEE, 0x40003000
                mov %cr0, %eax
                mov %eax, 0x3004
                mov %cr3, %eax
                mov %eax, 0x3008
                mov $0xC0000080, %ecx
                rdmsr
                mov %eax, 0x300c
                mov $0, %al
                out %al, $0xf4
                """);
        try (Machine m = new Machine(32 << 20, b -> { })) {
            m.load("k.elf", k, "", List.of());
            Machine.Result r = m.run();
            assertEquals(Machine.Ending.DEBUG_EXIT, r.ending(), r.toString());
            assertEquals(0xC0FFEE, m.vm().readValue(0x3000, 4), "the store went through the guest's 4 MiB page");
            assertEquals(0x8000_0000L, m.vm().readValue(0x3004, 4) & 0x8000_0000L, "CR0.PG reads 1");
            assertEquals(0x10000, m.vm().readValue(0x3008, 4), "CR3 is the guest's");
            assertEquals(0, m.vm().readValue(0x300c, 4), "EFER: no LME, no LMA");
        }
    }
}

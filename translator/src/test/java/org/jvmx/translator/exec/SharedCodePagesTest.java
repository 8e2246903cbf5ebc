package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.jvmx.translator.mem.PhysicalMemory;

/** Two CPUs on one memory share its code pages: one's store invalidates code the other translated. */
class SharedCodePagesTest {
    private static final long CODE = 0x1000;

    @Test
    void aStoreByOneCpuDropsTheOthersBlock() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            ram.addRam(0, 0x10000);
            ram.write(CODE, 4, 0xF4C0FF48L); // inc rax; hlt
            Cpu writer = Cpu.flat64(ram, false);
            Cpu runner = Cpu.flat64(ram, false);
            // the writer's TLB holds a write entry for the page before the runner translates it
            writer.memory.write(CODE + 0x800, 8, 1, false);
            Engine engine = new Engine(runner, Engine.Tier.INTERPRET, null);
            Block b = engine.cache().lookup(CODE);
            assertTrue(b.valid);
            writer.memory.write(CODE + 0x800, 8, 2, false);
            assertTrue(b.valid, "a store next to the block leaves it");
            writer.memory.write(CODE + 2, 1, 0xC8, false); // inc rax -> dec rax
            assertFalse(b.valid, "the other CPU's store reached this cache");
            assertFalse(runner.codeWritten, "the runner's current block is not its own write");
            Block again = engine.cache().lookup(CODE);
            assertTrue(again.valid);
            assertTrue(again.insns[0].mnemonic().name().equals("DEC"), again.insns[0].mnemonic().name());
        }
    }

    @Test
    void aPageStaysMarkedWhileAnyCacheHoldsCodeThere() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            ram.addRam(0, 0x10000);
            ram.write(CODE, 4, 0xF4C0FF48L);
            ram.write(CODE + 0x10, 4, 0xF4C0FF48L);
            Cpu a = Cpu.flat64(ram, false), b = Cpu.flat64(ram, false);
            Engine ea = new Engine(a, Engine.Tier.INTERPRET, null), eb = new Engine(b, Engine.Tier.INTERPRET, null);
            Block ba = ea.cache().lookup(CODE);
            Block bb = eb.cache().lookup(CODE + 0x10);
            a.memory.write(CODE, 1, 0x48, false); // a's own block goes, b's stays: the page must stay marked
            assertFalse(ba.valid);
            assertTrue(ram.codePages().isMarked(CODE));
            a.memory.write(CODE + 0x12, 1, 0xC8, false);
            assertFalse(bb.valid, "b's block still invalidated by a's store");
        }
    }
}

package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * Code is fetched at CS.base + IP outside 64-bit mode (SDM Vol. 3A, 3.4 and 20.1.1): real-mode
 * code at vector:0000 as an AP starts after a SIPI, a real-mode far jump that reloads CS (base =
 * selector × 16), and code at the same offset under two CS bases told apart.
 */
class RealModeFetchTest {
    @Test
    void realModeCodeRunsAtCsBasePlusIpAndFarJumpsReloadTheBase() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            ram.addRam(0, 0x10_0000);
            // 0800:0000 (linear 0x8000): mov ax, 0x1234; jmp far 0900:0000
            byte[] a = {(byte) 0xB8, 0x34, 0x12, (byte) 0xEA, 0x00, 0x00, 0x00, 0x09};
            // 0900:0000 (linear 0x9000, the same offset): mov bx, cs; mov cx, 0x5678; hlt
            byte[] b = {(byte) 0x8C, (byte) 0xCB, (byte) 0xB9, 0x78, 0x56, (byte) 0xF4};
            for (int k = 0; k < a.length; k++) ram.write(0x8000 + k, 1, a[k] & 0xFF);
            for (int k = 0; k < b.length; k++) ram.write(0x9000 + k, 1, b[k] & 0xFF);
            // Decoy bytes at linear = offset: fetched only if CS.base were ignored.
            ram.write(0, 1, 0xF4);
            Cpu c = Cpu.flat64(ram, false);
            c.sensitive = new BareMetal();
            CpuState s = c.state;
            s.init();
            s.cs.set(0x0800, 0x8000, 0xFFFF, 0x9B);
            s.rip = 0;
            c.refreshMode();
            c.memory.tlb().setState(s.pagingState());
            c.memory.tlb().flushAll();
            try (Engine e = new Engine(c, Engine.Tier.INTERPRET, null)) {
                assertEquals(Exit.Kind.HALTED, e.run(100).kind());
            }
            assertEquals(0x1234, c.gpr[CpuState.RAX] & 0xFFFF);
            assertEquals(0x0900, c.gpr[CpuState.RBX] & 0xFFFF, "CS after the far jump");
            assertEquals(0x5678, c.gpr[CpuState.RCX] & 0xFFFF);
            assertEquals(0x9000, s.cs.base());
            assertEquals(6, s.rip, "IP after the HLT, an offset in CS");
        }
    }
}

package org.jvmx.translator.sem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmx.translator.sem.SegmentedGuest.CODE_CONFORMING;
import static org.jvmx.translator.sem.SegmentedGuest.CODE_R;
import static org.jvmx.translator.sem.SegmentedGuest.CODE_XO;
import static org.jvmx.translator.sem.SegmentedGuest.DATA;
import static org.jvmx.translator.sem.SegmentedGuest.DATA_ABSENT;
import static org.jvmx.translator.sem.SegmentedGuest.DATA_DPL0;
import static org.jvmx.translator.sem.SegmentedGuest.DATA_DPL3;
import static org.jvmx.translator.sem.SegmentedGuest.DATA_RO;
import static org.jvmx.translator.sem.SegmentedGuest.GDT;
import static org.jvmx.translator.sem.SegmentedGuest.GDT_LIMIT;
import static org.jvmx.translator.sem.SegmentedGuest.SYSTEM_LDT;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.mem.GuestFault;

/**
 * Segment-register loads outside 64-bit mode against SDM Vol. 2 "MOV—Move" (protected mode):
 * MOV Sreg, POP Sreg, LFS/LSS; each check broken alone gives its fault and error code with
 * nothing changed, and the loaded register's limit and rights are then enforced.
 */
class SegmentLoadTest {
    static final int GP = GuestFault.GP, SS = GuestFault.SS, NP = GuestFault.NP;
    static final int[] MOV_DS_AX = {0x8E, 0xD8}, MOV_SS_AX = {0x8E, 0xD0}, MOV_FS_AX = {0x8E, 0xE0}, POP_DS = {0x1F},
            PUSH_DS = {0x1E}, LFS_EAX = {0x0F, 0xB4, 0x03}, LSS_EAX = {0x0F, 0xB2, 0x03};
    static final long MEM = 0x9000;

    static SegmentedGuest guest(boolean compat, int cpl, int[] code, int selector) {
        SegmentedGuest g = new SegmentedGuest(compat, cpl, code);
        g.gpr(CpuState.RAX, 0xFFFF_0000L | selector);
        return g;
    }

    void dsFaults(boolean compat, int cpl, int selector, int vector, int code) {
        try (SegmentedGuest g = guest(compat, cpl, MOV_DS_AX, selector)) {
            g.faults(vector, code, GDT, GDT_LIMIT + 1); // also: no accessed bit set
        }
    }

    void ssFaults(boolean compat, int cpl, int selector, int vector, int code) {
        try (SegmentedGuest g = guest(compat, cpl, MOV_SS_AX, selector)) {
            g.faults(vector, code, GDT, GDT_LIMIT + 1);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void movDsChecks(boolean compat) {
        dsFaults(compat, 0, CODE_XO, GP, CODE_XO);             // execute-only code
        dsFaults(compat, 0, SYSTEM_LDT, GP, SYSTEM_LDT);       // a system segment
        dsFaults(compat, 0, DATA_ABSENT, NP, DATA_ABSENT);     // not present: #NP(selector)
        dsFaults(compat, 0, 0x60, GP, 0x60);                   // past the GDT limit
        dsFaults(compat, 0, 0x0C, GP, 0x0C);                   // TI = 1 with an unusable LDTR
        dsFaults(compat, 0, DATA_DPL0 | 3, GP, DATA_DPL0);     // RPL > DPL
        dsFaults(compat, 3, DATA_DPL0 | 3, GP, DATA_DPL0);     // CPL > DPL
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void movDsLoads(boolean compat) {
        try (SegmentedGuest g = guest(compat, 0, MOV_DS_AX, DATA_DPL0)) {
            g.ok();
            assertEquals(DATA_DPL0, g.cpu.state.ds.selector());
            assertEquals(0x3000, g.cpu.state.ds.base());
            assertEquals(0xFFF, g.cpu.state.ds.limit());
            assertEquals(0x93, g.cpu.state.ds.vmcsAccessRights() & 0xFF); // accessed bit set
            assertEquals(0x93, g.ram.read(GDT + DATA_DPL0 + 5, 1));
        }
        try (SegmentedGuest g = guest(compat, 3, MOV_DS_AX, CODE_CONFORMING | 3)) { // conforming: no DPL check
            g.ok();
            assertEquals(CODE_CONFORMING | 3, g.cpu.state.ds.selector());
        }
        try (SegmentedGuest g = guest(compat, 0, MOV_DS_AX, CODE_R)) { // readable code
            g.ok();
        }
        try (SegmentedGuest g = guest(compat, 3, MOV_FS_AX, 3)) { // null: allowed, FS unusable
            g.ok();
            assertTrue(g.cpu.state.fs.unusable());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loadedLimitIsEnforced(boolean compat) {
        // mov ds, ax ; mov eax, [ebx]: DATA_DPL0 has limit FFFH.
        int[] code = {0x8E, 0xD8, 0x8B, 0x03};
        try (SegmentedGuest g = guest(compat, 0, code, DATA_DPL0)) {
            g.gpr(CpuState.RBX, 0xFFD).ok();
            org.jvmx.translator.exec.Exit x = g.step();
            assertEquals(GP, x.vector(), String.valueOf(x));
            assertEquals(SegmentedGuest.CODE + 2, g.cpu.state.rip);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void movSsChecks(boolean compat) {
        ssFaults(compat, 0, 0, GP, 0);                        // null SS outside 64-bit mode
        ssFaults(compat, 3, 3, GP, 0);
        ssFaults(compat, 0, DATA_RO, GP, DATA_RO);            // not writable
        ssFaults(compat, 0, CODE_R, GP, CODE_R);              // code
        ssFaults(compat, 0, DATA | 1, GP, DATA);              // RPL != CPL
        ssFaults(compat, 0, DATA_DPL3, GP, DATA_DPL3);        // DPL != CPL
        ssFaults(compat, 3, DATA | 3, GP, DATA);              // DPL 0 at CPL 3
        ssFaults(compat, 0, DATA_ABSENT, SS, DATA_ABSENT);    // not present: #SS(selector)
        ssFaults(compat, 0, 0x60, GP, 0x60);                  // past the GDT limit
        try (SegmentedGuest g = guest(compat, 3, MOV_SS_AX, DATA_DPL3 | 3)) {
            g.ok();
            assertEquals(0x7000, g.cpu.state.ss.base());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void popDsFaultLeavesEspAndDs(boolean compat) {
        try (SegmentedGuest g = guest(compat, 0, POP_DS, 0)) {
            g.ram.write(0x8000, 4, CODE_XO);
            g.faults(GP, CODE_XO);
            assertEquals(0x8000, g.cpu.gpr[CpuState.RSP]);
        }
        try (SegmentedGuest g = guest(compat, 0, POP_DS, 0)) {
            g.ram.write(0x8000, 4, DATA_DPL0);
            g.ok();
            assertEquals(0x8004, g.cpu.gpr[CpuState.RSP]);
            assertEquals(0x3000, g.cpu.state.ds.base());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pushDsStoresTheSelector(boolean compat) {
        try (SegmentedGuest g = guest(compat, 0, PUSH_DS, 0)) {
            g.ram.write(0x7FFC, 4, 0xAAAA_BBBBL);
            g.ok();
            assertEquals(0x7FFC, g.cpu.gpr[CpuState.RSP]);
            assertEquals(0xAAAA_0000L | DATA, g.ram.read(0x7FFC, 4)); // a 16-bit store into a dword slot
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void lfsAndLss(boolean compat) {
        try (SegmentedGuest g = guest(compat, 0, LFS_EAX, 0)) {
            g.ram.write(MEM, 4, 0x1234_5678L);
            g.ram.write(MEM + 4, 2, DATA_DPL0);
            g.gpr(CpuState.RBX, MEM).ok();
            assertEquals(0x1234_5678L, g.cpu.gpr[CpuState.RAX]);
            assertEquals(DATA_DPL0, g.cpu.state.fs.selector());
        }
        try (SegmentedGuest g = guest(compat, 0, LFS_EAX, 0)) { // a bad selector: EAX and FS unchanged
            g.ram.write(MEM, 4, 0x1234_5678L);
            g.ram.write(MEM + 4, 2, SYSTEM_LDT);
            g.gpr(CpuState.RBX, MEM).faults(GP, SYSTEM_LDT);
        }
        try (SegmentedGuest g = guest(compat, 0, LSS_EAX, 0)) {
            g.ram.write(MEM, 4, 0x800);
            g.ram.write(MEM + 4, 2, DATA_RO);
            g.gpr(CpuState.RBX, MEM).faults(GP, DATA_RO);
        }
        try (SegmentedGuest g = guest(compat, 0, LSS_EAX, 0)) {
            g.ram.write(MEM, 4, 0x800);
            g.ram.write(MEM + 4, 2, DATA_DPL0);
            g.gpr(CpuState.RBX, MEM).ok();
            assertEquals(0x800, g.cpu.gpr[CpuState.RAX]); // lss eax, m16:32
            assertEquals(0x3000, g.cpu.state.ss.base());
        }
    }

    @Test
    void realModeLoadsOnlySetTheBase() {
        try (SegmentedGuest g = guest(false, 0, MOV_DS_AX, 0x1234)) {
            g.cpu.state.cr0 &= ~CpuState.CR0_PE;
            g.ok();
            assertEquals(0x12340, g.cpu.state.ds.base());
            assertFalse(g.cpu.state.ds.unusable());
        }
    }
}

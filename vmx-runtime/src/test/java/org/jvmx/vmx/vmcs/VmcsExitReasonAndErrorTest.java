package org.jvmx.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Set;
import org.junit.jupiter.api.Test;

class VmcsExitReasonAndErrorTest {
    @Test
    void everyExitReasonNumberThrough77() {
        Set<Integer> unused = Set.of(35, 38, 42, 71);
        for (int n = 0; n <= 77; n++) {
            ExitReason r = ExitReason.of(n);
            if (unused.contains(n)) {
                assertNull(r, "reason " + n);
            } else {
                assertNotNull(r, "reason " + n);
                assertEquals(n, r.number());
            }
        }
        assertEquals(74, ExitReason.values().length);
        assertNull(ExitReason.of(78));
        assertNull(ExitReason.of(-1));
    }

    @Test
    void knownExitReasons() {
        assertEquals(ExitReason.EXCEPTION_OR_NMI, ExitReason.of(0));
        assertEquals(ExitReason.CPUID, ExitReason.of(10));
        assertEquals(ExitReason.HLT, ExitReason.of(12));
        assertEquals(ExitReason.VMCALL, ExitReason.of(18));
        assertEquals(ExitReason.IO_INSTRUCTION, ExitReason.of(30));
        assertEquals(ExitReason.ENTRY_FAILURE_INVALID_GUEST_STATE, ExitReason.of(33));
        assertEquals(ExitReason.EPT_VIOLATION, ExitReason.of(48));
        assertEquals(ExitReason.XSETBV, ExitReason.of(55));
        assertEquals(ExitReason.TDCALL, ExitReason.of(77));
        int field = ExitReason.ENTRY_FAILURE_INVALID_GUEST_STATE.fieldValue(true);
        assertEquals(0x8000_0021, field);
        assertEquals(ExitReason.ENTRY_FAILURE_INVALID_GUEST_STATE, ExitReason.ofField(field & 0xFFFF_FFFFL));
    }

    @Test
    void everyInstructionErrorNumber() {
        Set<Integer> reserved = Set.of(14, 21, 27);
        for (int n = 1; n <= 28; n++) {
            VmInstructionError e = VmInstructionError.of(n);
            if (reserved.contains(n)) {
                assertNull(e, "error " + n);
            } else {
                assertNotNull(e, "error " + n);
                assertEquals(n, e.number());
                assertFalse(e.text().isBlank());
            }
        }
        assertEquals(25, VmInstructionError.values().length);
        assertNull(VmInstructionError.of(0));
        assertNull(VmInstructionError.of(29));
        assertEquals("VMCLEAR with VMXON pointer", VmInstructionError.of(3).text());
        assertEquals("VMPTRLD with incorrect VMCS revision identifier", VmInstructionError.of(11).text());
        assertEquals("VMWRITE to read-only VMCS component", VmInstructionError.of(13).text());
    }
}

package org.jvmx.vmx.entry;

import static org.junit.jupiter.api.Assertions.*;
import static org.jvmx.vmx.entry.VmxCapabilityMsrs.*;
import static org.jvmx.vmx.vmcs.Controls.*;

import org.junit.jupiter.api.Test;

/** IA32_VMX_* values against SDM Vol. 3C Appendix A. */
class CapabilityMsrsTest {
    private final VmxCapabilityMsrs caps = new VmxCapabilityMsrs(7);

    private static final int[] CONTROL_MSRS = {IA32_VMX_PINBASED_CTLS, IA32_VMX_PROCBASED_CTLS, IA32_VMX_EXIT_CTLS,
            IA32_VMX_ENTRY_CTLS, IA32_VMX_PROCBASED_CTLS2, IA32_VMX_TRUE_PINBASED_CTLS, IA32_VMX_TRUE_PROCBASED_CTLS,
            IA32_VMX_TRUE_EXIT_CTLS, IA32_VMX_TRUE_ENTRY_CTLS};

    @Test
    void allowed0IsSubsetOfAllowed1() {
        for (int msr : CONTROL_MSRS) {
            long v = caps.read(msr).orElseThrow();
            long a0 = v & 0xFFFF_FFFFL, a1 = v >>> 32;
            assertEquals(a0, a0 & a1, () -> Integer.toHexString(msr));
        }
    }

    @Test
    void default1RequiredInNonTrueOptionalInTrue() {
        int[][] pairs = {{IA32_VMX_PINBASED_CTLS, IA32_VMX_TRUE_PINBASED_CTLS, PIN_DEFAULT1},
                {IA32_VMX_PROCBASED_CTLS, IA32_VMX_TRUE_PROCBASED_CTLS, PROC_DEFAULT1},
                {IA32_VMX_EXIT_CTLS, IA32_VMX_TRUE_EXIT_CTLS, EXIT_DEFAULT1},
                {IA32_VMX_ENTRY_CTLS, IA32_VMX_TRUE_ENTRY_CTLS, ENTRY_DEFAULT1}};
        for (int[] p : pairs) {
            long plain = caps.read(p[0]).orElseThrow(), tru = caps.read(p[1]).orElseThrow();
            long d1 = p[2] & 0xFFFF_FFFFL;
            assertEquals(d1, plain & d1, "non-TRUE requires default1");
            assertEquals(0, tru & d1, "TRUE lets default1 be 0");
            assertEquals(d1, (tru >>> 32) & d1, "default1 stays allowed-1");
            assertEquals(plain >>> 32, tru >>> 32, "same allowed-1 settings");
            // A.3.1: TRUE allowed-0 bits are a subset of the non-TRUE ones
            assertEquals(tru & 0xFFFF_FFFFL, tru & plain & 0xFFFF_FFFFL);
        }
    }

    @Test
    void basic() {
        long b = caps.read(IA32_VMX_BASIC).orElseThrow();
        assertEquals(7, b & 0x7FFF_FFFF);
        assertEquals(4096, (b >>> 32) & 0x1FFF);
        assertEquals(0, (b >>> 48) & 1);
        assertEquals(6, (b >>> 50) & 0xF);
        assertEquals(1, (b >>> 54) & 1);
        assertEquals(1, (b >>> 55) & 1);
    }

    @Test
    void misc() {
        long m = caps.read(IA32_VMX_MISC).orElseThrow();
        assertEquals(5, m & 0x1F);
        assertEquals(7, (m >>> 6) & 7, "HLT, shutdown, wait-for-SIPI");
        assertEquals(4, (m >>> 16) & 0x1FF);
        assertEquals(0, (m >>> 29) & 1);
        assertEquals(512, caps.maxMsrListEntries());
    }

    @Test
    void fixedAndOthers() {
        assertEquals(CR0_FIXED0, CR0_FIXED0 & CR0_FIXED1);
        assertEquals(CR4_FIXED0, CR4_FIXED0 & CR4_FIXED1);
        assertEquals(0, caps.read(IA32_VMX_EPT_VPID_CAP).orElseThrow());
        assertTrue(caps.read(IA32_VMX_VMCS_ENUM).orElseThrow() > 0);
        assertTrue(caps.read(0x491).isEmpty());
        assertTrue(caps.read(0x10).isEmpty());
    }
}

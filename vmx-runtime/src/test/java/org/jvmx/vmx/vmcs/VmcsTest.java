package org.jvmx.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class VmcsTest {
    private final Vmcs vmcs = new Vmcs(0x12);

    @Test
    void everyFieldRoundTripsWithItsWidthMask() {
        for (VmcsField f : vmcs.table().fields()) {
            vmcs.write(f.encoding(), -1L);
            long expected = switch (f.width()) {
                case BITS_16 -> 0xFFFFL;
                case BITS_32 -> 0xFFFF_FFFFL;
                case BITS_64, NATURAL -> -1L;
            };
            assertEquals(expected, vmcs.read(f.encoding()), f.name());
            vmcs.write(f.encoding(), 0x1234_5678_9ABC_DEF0L);
            assertEquals(0x1234_5678_9ABC_DEF0L & expected, vmcs.read(f.encoding()), f.name());
            assertEquals(0x1234_5678_9ABC_DEF0L & expected, vmcs.read(f), f.name());
        }
    }

    @Test
    void fieldsAreIndependent() {
        var fields = vmcs.table().fields();
        for (VmcsField f : fields) {
            vmcs.write(f.encoding(), f.encoding() * 0x1_0001_0001L);
        }
        for (VmcsField f : fields) {
            assertEquals(f.encoding() * 0x1_0001_0001L & f.width().mask(), vmcs.read(f.encoding()), f.name());
        }
    }

    @Test
    void highHalfOf64BitFields() {
        for (VmcsField f : vmcs.table().fields()) {
            if (f.width() != VmcsFieldWidth.BITS_64) {
                continue;
            }
            vmcs.write(f.encoding(), 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344L, vmcs.read(f.highEncoding()), f.name());
            // VMWRITE of the HIGH encoding replaces bits 63:32 only, from bits 31:0 of the value
            vmcs.write(f.highEncoding(), 0xFFFF_FFFF_AABB_CCDDL);
            assertEquals(0xAABB_CCDD_5566_7788L, vmcs.read(f.encoding()), f.name());
            assertEquals(0xAABB_CCDDL, vmcs.read(f.highEncoding()), f.name());
            // writing the FULL encoding replaces all 64 bits
            vmcs.write(f.encoding(), 0x99L);
            assertEquals(0L, vmcs.read(f.highEncoding()), f.name());
        }
    }

    @Test
    void naturalWidthIs64Bits() {
        vmcs.write(VmcsFields.GUEST_RIP.encoding(), 0xFFFF_8000_0000_1234L);
        assertEquals(0xFFFF_8000_0000_1234L, vmcs.read(VmcsFields.GUEST_RIP.encoding()));
        // built from longs: a descriptor base with bit 31 set does not sign-extend
        vmcs.write(VmcsFields.HOST_TR_BASE, 0x0000_0000_8000_0000L);
        assertEquals(0x8000_0000L, vmcs.read(VmcsFields.HOST_TR_BASE));
    }

    @Test
    void unsupportedEncodingsAreRejected() {
        assertFalse(vmcs.supports(0x681F)); // HIGH of a natural-width field
        assertThrows(IllegalArgumentException.class, () -> vmcs.read(0x681F));
        assertThrows(IllegalArgumentException.class, () -> vmcs.write(0x7000, 1));
        assertThrows(IllegalArgumentException.class, () -> vmcs.read(0x4001)); // HIGH of a 32-bit field
    }

    @Test
    void headerAbortIndicatorAndLaunchState() {
        assertEquals(0x12, vmcs.revisionId());
        assertEquals(LaunchState.CLEAR, vmcs.launchState());
        vmcs.setRevisionId(0xFFFF_FFFF);
        assertEquals(0x7FFF_FFFF, vmcs.revisionId());
        assertFalse(vmcs.isShadow());
        vmcs.setShadow(true);
        assertEquals(0xFFFF_FFFF, vmcs.header());
        vmcs.setAbortIndicator(3);
        assertEquals(3, vmcs.abortIndicator());
        vmcs.setLaunchState(LaunchState.LAUNCHED);
        assertEquals(LaunchState.LAUNCHED, vmcs.launchState());
    }

    @Test
    void fieldsOfAnotherTableAreRejected() {
        VmcsFieldTable other = VmcsFieldTable.parse("t", java.util.List.of("A\t0x681E\tguest-natural"));
        assertThrows(IllegalArgumentException.class, () -> new Vmcs(other, 1).read(VmcsFields.GUEST_RIP));
    }
}

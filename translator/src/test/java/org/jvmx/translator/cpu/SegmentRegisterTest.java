package org.jvmx.translator.cpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SegmentRegisterTest {
    private final SegmentRegister s = new SegmentRegister();

    /** The flat 64-bit kernel code descriptor Linux uses (__KERNEL_CS): 0x00AF9B000000FFFF. */
    @Test
    void linuxKernelCodeDescriptor() {
        s.loadDescriptor(0x10, 0x00AF_9B00_0000_FFFFL);
        assertEquals(0x10, s.selector());
        assertEquals(0, s.base());
        assertEquals(0xFFFF_FFFFL, s.limitUnsigned());
        assertEquals(0xA09B, s.vmcsAccessRights());
        assertEquals(0xB, s.type());
        assertTrue(s.s());
        assertEquals(0, s.dpl());
        assertTrue(s.present());
        assertTrue(s.l());
        assertFalse(s.db());
        assertTrue(s.g());
        assertFalse(s.avl());
        assertFalse(s.unusable());
        assertTrue(s.isCode());
    }

    /** A user data descriptor (DPL 3, D/B, G): 0x00CFF3000000FFFF. */
    @Test
    void userDataDescriptor() {
        s.loadDescriptor(0x2B, 0x00CF_F300_0000_FFFFL);
        assertEquals(3, s.dpl());
        assertEquals(3, s.rpl());
        assertTrue(s.db());
        assertFalse(s.l());
        assertFalse(s.isCode());
        assertEquals(0xC0F3, s.vmcsAccessRights());
    }

    /** Base bytes with the top bit set must not sign-extend (DESIGN.md: the (b & 0xff) << 24 bug). */
    @Test
    void highBaseByteDoesNotSignExtend() {
        // base 0xFE123456, limit 0x00067 byte-granular, 32-bit available TSS (type 9), P
        long d = 0xFE00_8912_3456_0067L;
        s.loadDescriptor(0x40, d);
        assertEquals(0xFE12_3456L, s.base());
        assertEquals(0x67, s.limit());
        assertEquals(0x89, s.vmcsAccessRights());
        assertFalse(s.s());
        assertEquals(d, s.toDescriptor());
    }

    @Test
    void sixteenByteSystemDescriptor() {
        // TSS at 0xFFFF_FE80_8000_4000, limit 0x67, busy 64-bit TSS
        long low = 0x8000_8B00_4000_0067L;
        long high = 0x0000_0000_FFFF_FE80L;
        s.loadSystemDescriptor(0x40, low, high);
        assertEquals(0xFFFF_FE80_8000_4000L, s.base());
        assertEquals(0x8B, s.vmcsAccessRights());
        assertEquals(0xB, s.type());
    }

    @Test
    void limitScaledByGranularity() {
        s.loadDescriptor(8, 0x0080_9300_0000_0001L); // G=1, raw limit 1
        assertEquals(0x1FFF, s.limit());
        s.loadDescriptor(8, 0x000F_9300_0000_FFFFL); // G=0, raw limit FFFFF
        assertEquals(0xFFFFF, s.limit());
    }

    /** Every defined bit of every position of the access-rights word round-trips through fields and descriptor. */
    @Test
    void accessRightsRoundTripAllCombinations() {
        for (int ar = 0; ar <= SegmentRegister.AR_MASK; ar++) {
            if ((ar & ~SegmentRegister.AR_MASK) != 0) continue;
            s.setVmcsAccessRights(ar);
            assertEquals(ar, s.vmcsAccessRights());
            int rebuilt = SegmentRegister.accessRights(s.type(), s.s(), s.dpl(), s.present(), s.avl(), s.l(), s.db(),
                    s.g(), s.unusable());
            assertEquals(ar, rebuilt, () -> Integer.toHexString(s.vmcsAccessRights()));
            if (!s.unusable()) {
                s.set(0x1234, 0x89AB_CDEFL, s.g() ? 0xABCD_EFFF : 0xABCDE, ar);
                long d = s.toDescriptor();
                SegmentRegister t = new SegmentRegister();
                t.loadDescriptor(0x1234, d);
                assertEquals(ar, t.vmcsAccessRights());
                assertEquals(s.base(), t.base());
                assertEquals(s.limit(), t.limit());
            }
        }
    }

    @Test
    void reservedAccessRightBitsAreDropped() {
        s.setVmcsAccessRights(0xFFFF_FFFF);
        assertEquals(0x1F0FF, s.vmcsAccessRights());
        assertEquals(0xF, s.type());
        assertEquals(3, s.dpl());
        assertTrue(s.unusable());
    }

    @Test
    void nullSelectorMakesUnusableAndDescriptorLoadMakesUsable() {
        s.loadDescriptor(0x18, 0x00CF_9300_0000_FFFFL);
        s.loadNull(0);
        assertTrue(s.unusable());
        assertEquals(0x1C093, s.vmcsAccessRights());
        s.loadDescriptor(0x18, 0x00CF_9300_0000_FFFFL);
        assertFalse(s.unusable());
        assertEquals(0xC093, s.vmcsAccessRights());
    }

    @Test
    void realModeLoad() {
        s.set(0, 0, 0xFFFF, 0x93);
        s.loadReal(0xF000);
        assertEquals(0xF0000L, s.base());
        assertEquals(0xFFFF, s.limit());
        s.loadReal(0xFFFF);
        assertEquals(0xFFFF0L, s.base());
    }
}

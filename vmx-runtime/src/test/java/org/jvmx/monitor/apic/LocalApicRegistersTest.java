package org.jvmx.monitor.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalApicRegistersTest {

    private FakeNanos time;
    private LocalApic apic;

    @BeforeEach
    void setUp() {
        time = new FakeNanos();
        apic = new LocalApic(3, true, time, IpiSink.NONE);
    }

    private long rd(int offset) {
        return apic.read(offset, 4);
    }

    private void wr(int offset, long v) {
        apic.write(offset, 4, v);
    }

    private void enterX2apic() {
        assertTrue(apic.writeMsr(0x1B, LocalApic.DEFAULT_BASE | LocalApic.BASE_ENABLE | LocalApic.BASE_EXTD));
    }

    @Test
    void powerUpState() {
        assertEquals(LocalApic.DEFAULT_BASE | LocalApic.BASE_ENABLE | LocalApic.BASE_BSP, apic.apicBase());
        assertEquals(ApicMode.XAPIC, apic.mode());
        assertEquals(3L << 24, rd(0x20));
        assertEquals(0x0006_0014L, rd(0x30));
        assertEquals(0xFFL, rd(0xF0));
        assertEquals(0xFFFF_FFFFL, rd(0xE0));
        for (int lvt = 0x320; lvt <= 0x370; lvt += 0x10) {
            assertEquals(0x1_0000L, rd(lvt), "LVT " + Integer.toHexString(lvt));
        }
        assertEquals(0x1_0000L, rd(0x2F0));
        assertEquals(0, rd(0x380));
        assertEquals(0, rd(0x3E0));
        assertEquals(0, rd(0x80));
    }

    @Test
    void xapicWritableBitsOnly() {
        wr(0x20, 0xFFFF_FFFFL);
        assertEquals(0xFF00_0000L, rd(0x20));
        assertEquals(0xFF, apic.id());
        wr(0x80, 0x1234);
        assertEquals(0x34, rd(0x80));
        wr(0xD0, 0xFFFF_FFFFL);
        assertEquals(0xFF00_0000L, rd(0xD0));
        wr(0xE0, 0);
        assertEquals(0x0FFF_FFFFL, rd(0xE0));
        wr(0xF0, 0xFFFF_FFFFL);
        assertEquals(0x3FFL, rd(0xF0));
        wr(0x320, 0xFFFF_FFFFL);
        assertEquals(0x7_00FFL, rd(0x320));
        wr(0x350, 0xFFFF_FFFFL);
        assertEquals(0x1_A7FFL, rd(0x350));
        wr(0x370, 0xFFFF_FFFFL);
        assertEquals(0x1_00FFL, rd(0x370));
        wr(0x3E0, 0xFF);
        assertEquals(0xBL, rd(0x3E0));
        wr(0x310, 0xFFFF_FFFFL);
        assertEquals(0xFF00_0000L, rd(0x310));
        // read-only registers ignore writes
        wr(0x30, 0);
        assertEquals(0x0006_0014L, rd(0x30));
        wr(0x390, 5);
        assertEquals(0, rd(0x390));
    }

    @Test
    void lvtMaskStuckWhileSoftwareDisabled() {
        wr(0x350, 0x700); // ExtINT, unmasked: the mask stays set while SVR.8 = 0
        assertEquals(0x1_0700L, rd(0x350));
        wr(0xF0, 0x1FF);
        wr(0x350, 0x700);
        assertEquals(0x700L, rd(0x350));
        assertTrue(apic.extIntEnabled());
        wr(0xF0, 0xFF); // software disable masks every LVT entry
        assertEquals(0x1_0700L, rd(0x350));
        assertFalse(apic.extIntEnabled());
    }

    @Test
    void unalignedAndOddSizedAccessesIgnored() {
        wr(0xF0, 0x1FF);
        assertEquals(0, apic.read(0xF4, 4));
        assertEquals(0, apic.read(0xF0, 2));
        apic.write(0x80, 8, 0x55);
        apic.write(0x84, 4, 0x55);
        assertEquals(0, rd(0x80));
        assertEquals(0, rd(0xFF0)); // no register there
    }

    @Test
    void esrLatchesOnWrite() {
        wr(0xF0, 0x1FF);
        apic.accept(5); // illegal vector
        assertEquals(0, rd(0x280), "errors appear only after an ESR write");
        wr(0x280, 0);
        assertEquals(LocalApic.ESR_RECEIVE_ILLEGAL_VECTOR, rd(0x280));
        wr(0x280, 0);
        assertEquals(0, rd(0x280));
        wr(0x300, 0x4_0003); // self IPI with vector 3
        wr(0x280, 0);
        assertEquals(LocalApic.ESR_SEND_ILLEGAL_VECTOR, rd(0x280));
    }

    @Test
    void errorLvtDeliversVector() {
        wr(0xF0, 0x1FF);
        wr(0x370, 0xEE);
        apic.accept(1);
        assertTrue(apic.hasInterrupt());
        assertEquals(0xEE, apic.acknowledge());
    }

    @Test
    void x2apicMsrsNotAvailableInXapicMode() {
        assertTrue(apic.readMsr(0x802).isEmpty());
        assertFalse(apic.writeMsr(0x808, 0));
    }

    @Test
    void x2apicRegisters() {
        wr(0xF0, 0x1FF);
        wr(0x80, 0x40);
        enterX2apic();
        assertEquals(ApicMode.X2APIC, apic.mode());
        assertEquals(OptionalLong.of(3), apic.readMsr(0x802));
        assertEquals(OptionalLong.of(0x0006_0014L), apic.readMsr(0x803));
        assertEquals(OptionalLong.of(0x40), apic.readMsr(0x808), "state survives xAPIC -> x2APIC");
        assertEquals(OptionalLong.of(1 << 3), apic.readMsr(0x80D), "LDR = cluster 0, bit 3");
        assertEquals(OptionalLong.of(0x1FF), apic.readMsr(0x80F));
        assertTrue(apic.writeMsr(0x808, 0x20));
        assertEquals(OptionalLong.of(0x20), apic.readMsr(0x808));
        assertEquals(OptionalLong.of(0x20), apic.readMsr(0x80A)); // PPR
        assertTrue(apic.writeMsr(0x838, 1000));
        assertEquals(OptionalLong.of(1000), apic.readMsr(0x838));
        assertTrue(apic.writeMsr(0x830, 0xAB_0000_0000L | 0x4_0040));
        assertEquals(OptionalLong.of(0xAB_0004_0040L), apic.readMsr(0x830), "64-bit ICR");
        // the MMIO page is gone
        assertEquals(0, rd(0x80));
        wr(0x80, 0x70);
        assertEquals(OptionalLong.of(0x20), apic.readMsr(0x808));
    }

    @Test
    void x2apicLdrOfHighId() {
        LocalApic a = new LocalApic(0x35, false, time, IpiSink.NONE);
        assertTrue(a.writeMsr(0x1B, LocalApic.DEFAULT_BASE | LocalApic.BASE_ENABLE | LocalApic.BASE_EXTD));
        assertEquals(OptionalLong.of(3L << 16 | 1 << 5), a.readMsr(0x80D));
        assertTrue(a.matches(3L << 16 | 1 << 5, true));
        assertFalse(a.matches(2L << 16 | 1 << 5, true));
        assertTrue(a.matches(0x35, false));
        assertTrue(a.matches(0xFFFF_FFFFL, false));
    }

    @Test
    void x2apicGeneralProtection() {
        enterX2apic();
        int[] reserved = {0x800, 0x801, 0x804, 0x807, 0x809, 0x80C, 0x80E, 0x829, 0x82E, 0x831, 0x83A, 0x83D,
                0x840, 0x8FF};
        for (int msr : reserved) {
            assertTrue(apic.readMsr(msr).isEmpty(), "read " + Integer.toHexString(msr));
            assertFalse(apic.writeMsr(msr, 0), "write " + Integer.toHexString(msr));
        }
        int[] readOnly = {0x802, 0x803, 0x80A, 0x80D, 0x810, 0x817, 0x818, 0x820, 0x827, 0x839};
        for (int msr : readOnly) {
            assertTrue(apic.readMsr(msr).isPresent(), "read " + Integer.toHexString(msr));
            assertFalse(apic.writeMsr(msr, 0), "write " + Integer.toHexString(msr));
        }
        int[] writeOnly = {0x80B, 0x83F};
        for (int msr : writeOnly) {
            assertTrue(apic.readMsr(msr).isEmpty(), "read " + Integer.toHexString(msr));
        }
        assertFalse(apic.writeMsr(0x80B, 1), "EOI takes only 0");
        assertFalse(apic.writeMsr(0x828, 1), "ESR takes only 0");
        assertFalse(apic.writeMsr(0x808, 1L << 32), "bits 63:32 reserved");
        assertFalse(apic.writeMsr(0x83F, 0x100), "SELF IPI: vector only");
        assertTrue(apic.writeMsr(0x80B, 0));
        assertTrue(apic.writeMsr(0x828, 0));
    }

    @Test
    void apicBaseTransitions() {
        long base = LocalApic.DEFAULT_BASE;
        long en = LocalApic.BASE_ENABLE, extd = LocalApic.BASE_EXTD;
        assertFalse(apic.writeMsr(0x1B, base | extd), "EN=0 EXTD=1 is invalid");
        assertFalse(apic.writeMsr(0x1B, base | en | 1L << 9), "reserved bit 9");
        assertFalse(apic.writeMsr(0x1B, base | en | 1L << 50), "above MAXPHYADDR");
        assertTrue(apic.writeMsr(0x1B, base | en | extd));            // xAPIC -> x2APIC
        assertFalse(apic.writeMsr(0x1B, base | en), "x2APIC -> xAPIC is illegal");
        assertTrue(apic.writeMsr(0x1B, base));                        // x2APIC -> disabled
        assertEquals(ApicMode.DISABLED, apic.mode());
        assertEquals(base | LocalApic.BASE_BSP, apic.readMsr(0x1B).getAsLong(), "BSP is kept");
        assertFalse(apic.writeMsr(0x1B, base | en | extd), "disabled -> x2APIC is illegal");
        assertTrue(apic.writeMsr(0x1B, 0xFED0_0000L | en));            // disabled -> xAPIC, moved
        assertEquals(ApicMode.XAPIC, apic.mode());
        assertEquals(0xFED0_0000L, apic.mmioBase());
        assertEquals(3L << 24, rd(0x20), "the ID returns to the 8-bit xAPIC ID");
        assertTrue(apic.writeMsr(0x1B, 0xFED0_0000L | en | extd));
        assertTrue(apic.writeMsr(0x1B, 0xFED0_0000L | en | extd), "rewriting the same state is legal");
    }

    @Test
    void disablingResetsState() {
        wr(0xF0, 0x1FF);
        wr(0x80, 0x30);
        apic.accept(0x40);
        assertTrue(apic.writeApicBase(LocalApic.DEFAULT_BASE));
        assertFalse(apic.hasInterrupt());
        assertEquals(0, rd(0x80), "no page while disabled");
        assertTrue(apic.writeApicBase(LocalApic.DEFAULT_BASE | LocalApic.BASE_ENABLE));
        assertEquals(0, rd(0x80));
        assertEquals(0xFF, rd(0xF0));
        assertEquals(0, rd(0x200 + 0x20)); // IRR bits of 0x40..0x5F
        assertTrue(apic.extIntEnabled() == false);
    }

    @Test
    void disabledApicPassesExtInt() {
        assertTrue(apic.writeApicBase(LocalApic.DEFAULT_BASE));
        assertTrue(apic.extIntEnabled());
    }

    @Test
    void handlesMsrRange() {
        assertTrue(LocalApic.handlesMsr(0x1B));
        assertTrue(LocalApic.handlesMsr(0x6E0));
        assertTrue(LocalApic.handlesMsr(0x800));
        assertTrue(LocalApic.handlesMsr(0x8FF));
        assertFalse(LocalApic.handlesMsr(0x900));
        assertFalse(LocalApic.handlesMsr(0x10));
    }
}

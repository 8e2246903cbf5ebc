package org.jvmx.monitor.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmx.monitor.devices.IrqLine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IoApicTest {

    private static final long MASKED = 1L << 16, LEVEL = 1L << 15, REMOTE_IRR = 1L << 14, LOGICAL = 1L << 11;

    private LocalApic lapic;
    private IoApic ioapic;

    @BeforeEach
    void setUp() {
        lapic = new LocalApic(0, true, new FakeNanos(), IpiSink.NONE);
        lapic.write(0xF0, 4, 0x1FF);
        ioapic = new IoApic(lapic);
    }

    private long reg(int index) {
        ioapic.write(0x00, 4, index);
        return ioapic.read(0x10, 4);
    }

    private void setReg(int index, long value) {
        ioapic.write(0x00, 4, index);
        ioapic.write(0x10, 4, value);
    }

    private void program(int pin, long entry) {
        setReg(0x10 + 2 * pin + 1, entry >>> 32);
        setReg(0x10 + 2 * pin, entry & 0xFFFF_FFFFL);
    }

    private void lapicEoi() {
        lapic.write(0xB0, 4, 0);
    }

    @Test
    void identificationRegisters() {
        assertEquals(0x0017_0020L, reg(0x01));
        setReg(0x00, 0x0A00_0000L);
        assertEquals(0x0A00_0000L, reg(0x00));
        assertEquals(0x0A00_0000L, reg(0x02), "arbitration ID follows the ID");
        setReg(0x01, 0);
        assertEquals(0x0017_0020L, reg(0x01), "version is read-only");
        ioapic.write(0x00, 4, 0x15);
        assertEquals(0x15, ioapic.read(0x00, 4), "IOREGSEL reads back");
    }

    @Test
    void entriesResetMaskedAndReadBack() {
        for (int pin = 0; pin < IoApic.PINS; pin++) {
            assertEquals(MASKED, reg(0x10 + 2 * pin));
            assertEquals(0, reg(0x11 + 2 * pin));
        }
        program(7, 0xAB00_0000_0000_0000L | MASKED | LEVEL | 1L << 13 | LOGICAL | 1 << 8 | 0x77 | REMOTE_IRR
                | 1L << 12);
        assertEquals(MASKED | LEVEL | 1L << 13 | LOGICAL | 1 << 8 | 0x77, reg(0x10 + 14),
                "remote IRR and delivery status are read-only");
        assertEquals(0xAB00_0000L, reg(0x11 + 14));
        assertEquals(0, reg(0x40), "beyond the table");
    }

    @Test
    void edgeTriggered() {
        program(4, 0x34);
        IrqLine line = ioapic.line(4);
        line.raise();
        assertTrue(lapic.hasInterrupt());
        assertEquals(0x34, lapic.acknowledge());
        line.raise(); // still high: no edge
        assertFalse(lapic.hasInterrupt());
        lapicEoi();
        line.pulse();
        assertEquals(0x34, lapic.acknowledge());
        lapicEoi();
        assertEquals(0, ioapic.entry(4) & REMOTE_IRR);
    }

    @Test
    void maskedEdgeIsLost() {
        program(3, MASKED | 0x33);
        ioapic.line(3).pulse();
        program(3, 0x33);
        assertFalse(lapic.hasInterrupt());
        ioapic.line(3).pulse();
        assertEquals(0x33, lapic.acknowledge());
    }

    @Test
    void levelTriggeredWithRemoteIrr() {
        program(10, LEVEL | 1L << 13 | 0x5A);
        IrqLine line = ioapic.line(10);
        line.raise();
        assertTrue((ioapic.entry(10) & REMOTE_IRR) != 0);
        assertEquals(1L << 26, lapic.read(0x180 + 0x20, 4), "TMR marks 0x5A level-triggered");
        assertEquals(0x5A, lapic.acknowledge());
        line.raise();
        assertFalse(lapic.hasInterrupt(), "no new message while remote IRR is set");
        lapicEoi(); // EOI broadcast: line still asserted, so the interrupt comes again
        assertTrue((ioapic.entry(10) & REMOTE_IRR) != 0);
        assertEquals(0x5A, lapic.acknowledge());
        line.lower();
        lapicEoi();
        assertEquals(0, ioapic.entry(10) & REMOTE_IRR);
        assertFalse(lapic.hasInterrupt());
        line.raise();
        assertEquals(0x5A, lapic.acknowledge());
    }

    @Test
    void levelMaskedThenUnmasked() {
        program(11, MASKED | LEVEL | 0x5B);
        ioapic.line(11).raise();
        assertFalse(lapic.hasInterrupt());
        assertEquals(0, ioapic.entry(11) & REMOTE_IRR);
        program(11, LEVEL | 0x5B); // unmasking an asserted level input delivers it
        assertEquals(0x5B, lapic.acknowledge());
        ioapic.line(11).lower();
        lapicEoi();
        assertEquals(0, ioapic.entry(11) & REMOTE_IRR);
    }

    @Test
    void eoiRegisterClearsRemoteIrr() {
        program(9, LEVEL | 0x59);
        ioapic.line(9).raise();
        assertEquals(0x59, lapic.acknowledge());
        ioapic.line(9).lower();
        ioapic.write(0x40, 4, 0x58);
        assertTrue((ioapic.entry(9) & REMOTE_IRR) != 0, "other vector");
        ioapic.write(0x40, 4, 0x59);
        assertEquals(0, ioapic.entry(9) & REMOTE_IRR);
    }

    @Test
    void destinations() {
        program(1, 5L << 56 | 0x41); // physical APIC 5: not us
        ioapic.line(1).pulse();
        assertFalse(lapic.hasInterrupt());
        program(1, 0xFFL << 56 | 0x41); // broadcast
        ioapic.line(1).pulse();
        assertEquals(0x41, lapic.acknowledge());
        lapicEoi();
        lapic.write(0xD0, 4, 0x01 << 24); // flat logical ID bit 0
        program(2, 0x03L << 56 | LOGICAL | 1 << 8 | 0x42); // lowest priority, logical
        ioapic.line(2).pulse();
        assertEquals(0x42, lapic.acknowledge());
        lapicEoi();
        program(2, 0x02L << 56 | LOGICAL | 0x42);
        ioapic.line(2).pulse();
        assertFalse(lapic.hasInterrupt());
    }

    @Test
    void unacceptedLevelLeavesRemoteIrrClear() {
        program(12, 5L << 56 | LEVEL | 0x5C); // APIC 5 does not exist
        ioapic.line(12).raise();
        assertEquals(0, ioapic.entry(12) & REMOTE_IRR);
        lapic.write(0xF0, 4, 0xFF); // software-disabled APIC drops messages
        program(12, LEVEL | 0x5C);
        assertEquals(0, ioapic.entry(12) & REMOTE_IRR);
        lapic.write(0xF0, 4, 0x1FF);
        program(12, LEVEL | 0x5C); // rewriting the entry re-evaluates the asserted input
        assertEquals(0x5C, lapic.acknowledge());
        assertTrue((ioapic.entry(12) & REMOTE_IRR) != 0);
    }

    @Test
    void switchingToEdgeClearsRemoteIrr() {
        program(13, LEVEL | 0x5D);
        ioapic.line(13).raise();
        assertTrue((ioapic.entry(13) & REMOTE_IRR) != 0);
        program(13, 0x5D);
        assertEquals(0, ioapic.entry(13) & REMOTE_IRR);
    }

    /** A device thread toggling a level line while the vCPU thread acknowledges and EOIs: no deadlock, no loss. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 10, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void concurrentLineAndEoi() throws InterruptedException {
        program(14, LEVEL | 0x5E);
        IrqLine line = ioapic.line(14);
        Thread device = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                line.set((i & 1) == 0);
            }
            line.raise();
        });
        device.start();
        while (device.isAlive()) {
            if (lapic.hasInterrupt()) {
                assertEquals(0x5E, lapic.acknowledge());
                lapicEoi();
            }
        }
        device.join();
        // the line ends asserted: an interrupt is in service or pending, so remote IRR is set, and every EOI
        // brings it back
        assertTrue((ioapic.entry(14) & REMOTE_IRR) != 0);
        if (lapic.hasInterrupt()) {
            assertEquals(0x5E, lapic.acknowledge());
        }
        lapicEoi();
        assertEquals(0x5E, lapic.acknowledge());
    }

    @Test
    void lineRange() {
        assertThrows(IllegalArgumentException.class, () -> ioapic.line(24));
        assertThrows(IllegalArgumentException.class, () -> ioapic.line(-1));
    }
}

package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pic8259Test {

    private IoBus bus;
    private Pic8259 pic;
    private int wakeups;

    @BeforeEach
    void setUp() {
        bus = new IoBus();
        pic = new Pic8259().attach(bus);
        pic.onInterrupt(() -> wakeups++);
    }

    private void out(int port, int v) {
        bus.write(port, 1, v);
    }

    private int in(int port) {
        return (int) bus.read(port, 1);
    }

    /** The sequence of Linux's init_8259A: ICW1 0x11, ICW2 0x20/0x28, ICW3 0x04/0x02, ICW4 0x01, then masks. */
    private void linuxInit(int masterMask, int slaveMask) {
        out(0x21, 0xFF);
        out(0xA1, 0xFF);
        out(0x20, 0x11);
        out(0x21, 0x20);
        out(0x21, 0x04);
        out(0x21, 0x01);
        out(0xA0, 0x11);
        out(0xA1, 0x28);
        out(0xA1, 0x02);
        out(0xA1, 0x01);
        out(0x21, masterMask);
        out(0xA1, slaveMask);
    }

    private void eoiMaster() {
        out(0x20, 0x20);
    }

    private void eoiSlave() {
        out(0xA0, 0x20);
    }

    @Test
    void linuxInitThenTimerInterrupt() {
        linuxInit(0xFA, 0xFF); // IRQ0 and the cascade unmasked
        assertEquals(0xFA, in(0x21));
        assertEquals(0xFF, in(0xA1));
        assertFalse(pic.hasInterrupt());
        pic.line(0).raise();
        assertTrue(pic.hasInterrupt());
        assertTrue(wakeups > 0);
        assertEquals(0x20, pic.acknowledge());
        assertEquals(0x01, pic.isr());
        assertFalse(pic.hasInterrupt());
        // Edge-triggered: the line is still high, so no new request until it falls and rises again.
        eoiMaster();
        assertEquals(0, pic.isr());
        assertFalse(pic.hasInterrupt());
        pic.line(0).lower();
        pic.line(0).raise();
        assertEquals(0x20, pic.acknowledge());
    }

    @Test
    void maskedRequestStaysInIrrUntilUnmasked() {
        linuxInit(0xFB, 0xFF);
        pic.line(1).pulse();
        assertFalse(pic.hasInterrupt());
        out(0x20, 0x0A); // OCW3: read IRR
        assertEquals(0x02, in(0x20));
        out(0x21, 0xF9);
        assertTrue(pic.hasInterrupt());
        assertEquals(0x21, pic.acknowledge());
        out(0x20, 0x0B); // OCW3: read ISR
        assertEquals(0x02, in(0x20));
        out(0x20, 0x0A);
        assertEquals(0x00, in(0x20));
    }

    @Test
    void lowerIrqWinsAndInServiceBlocksLowerPriority() {
        linuxInit(0x00, 0x00);
        pic.line(3).pulse();
        pic.line(1).pulse();
        assertEquals(0x21, pic.acknowledge());
        // IRQ3 waits behind IRQ1 in service; IRQ0 has higher priority and nests.
        assertFalse(pic.hasInterrupt());
        pic.line(0).pulse();
        assertEquals(0x20, pic.acknowledge());
        assertEquals(0x03, pic.isr());
        eoiMaster(); // non-specific EOI clears the highest priority in service: IRQ0
        assertEquals(0x02, pic.isr());
        assertFalse(pic.hasInterrupt());
        eoiMaster();
        assertTrue(pic.hasInterrupt());
        assertEquals(0x23, pic.acknowledge());
    }

    @Test
    void specificEoiClearsTheNamedLevel() {
        linuxInit(0x00, 0x00);
        pic.line(4).pulse();
        assertEquals(0x24, pic.acknowledge());
        pic.line(1).pulse();
        assertEquals(0x21, pic.acknowledge());
        out(0x20, 0x64); // specific EOI for IRQ4
        assertEquals(0x02, pic.isr());
        out(0x20, 0x61);
        assertEquals(0x00, pic.isr());
    }

    @Test
    void cascadedSlaveInterruptNeedsEoiOnBoth() {
        linuxInit(0xFB, 0xFE); // cascade and IRQ8 unmasked
        pic.line(8).raise();
        assertTrue(pic.hasInterrupt());
        assertEquals(0x28, pic.acknowledge());
        assertEquals(0x0104, pic.isr());
        pic.line(8).lower();
        // Linux EOIs the slave then the master.
        eoiSlave();
        eoiMaster();
        assertEquals(0, pic.isr());
        out(0xA1, 0x00);
        pic.line(12).pulse();
        pic.line(9).pulse();
        assertEquals(0x29, pic.acknowledge());
        // IRQ12 is lower priority than IRQ9 in service on the slave, and the master has IR2 in service.
        assertFalse(pic.hasInterrupt());
        eoiSlave();
        assertFalse(pic.hasInterrupt()); // master IR2 still in service
        eoiMaster();
        assertTrue(pic.hasInterrupt());
        assertEquals(0x2C, pic.acknowledge());
    }

    @Test
    void masterIrqsAboveTheCascadePreemptSlaveOnes() {
        linuxInit(0x00, 0x00);
        pic.line(10).pulse();
        assertEquals(0x2A, pic.acknowledge());
        pic.line(1).pulse();
        assertEquals(0x21, pic.acknowledge());
        pic.line(3).pulse();
        assertFalse(pic.hasInterrupt());
    }

    @Test
    void vanishedRequestGivesSpuriousIrq7WithoutIsr() {
        linuxInit(0x00, 0x00);
        out(0x20, 0x18);   // ICW1 with LTIM: level-triggered master
        out(0x21, 0x20);
        out(0x21, 0x04);
        out(0x21, 0x01);
        pic.line(5).raise();
        assertTrue(pic.hasInterrupt());
        pic.line(5).lower();
        assertEquals(0x27, pic.acknowledge());
        assertEquals(0, pic.isr());
        assertEquals(1, pic.spuriousCount());
    }

    @Test
    void vanishedSlaveRequestGivesSpuriousIrq15WithMasterIr2InService() {
        linuxInit(0x00, 0x00);
        pic.line(11).raise();
        assertTrue(pic.hasInterrupt());
        out(0xA1, 0x08);   // masked between INTR and INTA
        // The master already latched IR2; the slave has nothing to offer.
        assertEquals(0x2F, pic.acknowledge());
        assertEquals(0x0004, pic.isr());
        assertEquals(1, pic.spuriousCount());
    }

    @Test
    void autoEoiLeavesIsrClear() {
        out(0x20, 0x11);
        out(0x21, 0x08);   // vector base 0x08
        out(0x21, 0x04);
        out(0x21, 0x03);   // AEOI | 8086
        out(0x21, 0x00);
        pic.line(0).pulse();
        assertEquals(0x08, pic.acknowledge());
        assertEquals(0, pic.isr());
        pic.line(0).pulse();
        assertEquals(0x08, pic.acknowledge());
    }

    @Test
    void vectorBaseIgnoresTheLowThreeBits() {
        out(0x20, 0x11);
        out(0x21, 0x77);
        out(0x21, 0x04);
        out(0x21, 0x01);
        out(0x21, 0x00);
        pic.line(2 + 1).pulse();
        assertEquals(0x73, pic.acknowledge());
    }

    @Test
    void icw1ClearsMaskAndInService() {
        linuxInit(0xFF, 0xFF);
        out(0x21, 0x00);
        pic.line(6).pulse();
        pic.acknowledge();
        out(0x20, 0x11);
        assertEquals(0x00, in(0x21));
        assertEquals(0, pic.isr());
        assertEquals(0, pic.irr() & 0xFF);
    }

    @Test
    void rotateOnNonSpecificEoiMakesServicedLevelLowest() {
        linuxInit(0x00, 0x00);
        pic.line(1).pulse();
        assertEquals(0x21, pic.acknowledge());
        out(0x20, 0xA0); // rotate on non-specific EOI: IRQ1 becomes lowest, IRQ2 highest
        pic.line(0).pulse();
        pic.line(3).pulse();
        assertEquals(0x23, pic.acknowledge());
        out(0x20, 0xC7); // set priority: IRQ7 lowest again
        out(0x20, 0x20);
        assertEquals(0x20, pic.acknowledge());
    }

    @Test
    void pollCommandReturnsAndAcknowledgesTheHighestRequest() {
        linuxInit(0x00, 0x00);
        out(0x20, 0x0C); // OCW3 poll
        assertEquals(0x00, in(0x20));
        pic.line(6).pulse();
        pic.line(4).pulse();
        out(0x20, 0x0C);
        assertEquals(0x84, in(0x20));
        assertEquals(0x10, pic.isr());
    }

    @Test
    void specialMaskModeLetsLowerLevelsThroughMaskedInService() {
        linuxInit(0x00, 0x00);
        pic.line(1).pulse();
        assertEquals(0x21, pic.acknowledge());
        out(0x21, 0x02);
        out(0x20, 0x68); // OCW3 set special mask
        pic.line(5).pulse();
        assertEquals(0x25, pic.acknowledge());
        out(0x20, 0x48); // reset special mask
        pic.line(6).pulse();
        assertFalse(pic.hasInterrupt());
    }

    @Test
    void registersReachableThroughWordAccessesToo() {
        linuxInit(0x5A, 0xA5);
        assertEquals(0x5AL, bus.read(0x21, 1));
        assertEquals(0xA5L, bus.read(0xA1, 1));
        assertEquals(0xA55A, pic.imr());
    }

    @Test
    void elcrMakesAnInputLevelTriggered() {
        linuxInit(0x00, 0x00);
        out(0x4D1, 0xFF);
        assertEquals(0xDE, in(0x4D1));  // IRQ 8 and 13 stay edge-triggered
        out(0x4D0, 0xFF);
        assertEquals(0xF8, in(0x4D0));
        pic.line(11).raise();
        assertEquals(0x2B, pic.acknowledge());
        eoiSlave();
        eoiMaster();
        // Still high: requested again after EOI without a new edge.
        assertTrue(pic.hasInterrupt());
        assertEquals(0x2B, pic.acknowledge());
        pic.line(11).lower();
        eoiSlave();
        eoiMaster();
        assertFalse(pic.hasInterrupt());
        out(0x4D1, 0x00);
    }

    @Test
    void biosStyleInitializationForFirmwareLessBoots() {
        pic.initialize(0x08, 0x70, 0xFEFA);
        assertEquals(0xFEFA, pic.imr());
        pic.line(0).pulse();
        assertEquals(0x08, pic.acknowledge());
        eoiMaster();
        pic.line(8).pulse();
        assertEquals(0x70, pic.acknowledge());
    }
}

package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class I8042Test {

    private RecordingLine irq1;
    private int resets;
    private IoBus bus;
    private I8042 kbc;

    @BeforeEach
    void setUp() {
        irq1 = new RecordingLine();
        bus = new IoBus();
        kbc = new I8042(irq1, () -> resets++).attach(bus);
    }

    private void out(int port, int v) {
        bus.write(port, 1, v);
    }

    private int in(int port) {
        return (int) bus.read(port, 1);
    }

    /** Waits for the input buffer to empty, as every driver does before writing (IBF, status bit 1). */
    private void command(int c) {
        assertEquals(0, in(0x64) & 0x02);
        out(0x64, c);
    }

    private int readData() {
        assertEquals(0x01, in(0x64) & 0x01);
        return in(0x60);
    }

    @Test
    void resetThroughCommandFe() {
        command(0xFE);
        assertEquals(1, resets);
        assertEquals(1, kbc.resetCount());
    }

    @Test
    void otherPulseCommandsResetOnlyWithBit0Clear() {
        command(0xFF);                   // pulse nothing
        command(0xF1);
        assertEquals(0, resets);
        command(0xF0);                   // pulses all four lines, the reset line among them
        assertEquals(1, resets);
    }

    @Test
    void resetThroughTheOutputPort() {
        command(0xD0);
        int port = readData();
        assertEquals(0x03, port & 0x03);
        assertTrue(kbc.a20Enabled());
        command(0xD1);
        out(0x60, 0xDD);                 // A20 off, reset line high
        assertFalse(kbc.a20Enabled());
        assertEquals(0, resets);
        command(0xD1);
        out(0x60, 0xDE);                 // reset line low
        assertEquals(1, resets);
    }

    @Test
    void configurationByteReadAndWrite() {
        command(0x20);
        int cfg = readData();
        assertEquals(kbc.configByte(), cfg);
        command(0x60);
        out(0x60, cfg & ~0x01 & ~0x40);  // interrupts and translation off
        command(0x20);
        assertEquals(cfg & ~0x41, readData());
        assertEquals(0x08, in(0x64) & 0x08); // last write was a command
    }

    @Test
    void selfTestAnswers55AndSetsSystemFlag() {
        command(0x60);
        out(0x60, 0x00);                 // system flag cleared
        assertEquals(0, in(0x64) & 0x04);
        command(0xAA);
        assertEquals(0x55, readData());
        assertEquals(0x04, in(0x64) & 0x04);
        command(0xAB);
        assertEquals(0x00, readData());
        command(0xA9);                   // no aux device
        assertEquals(0x02, readData());
        assertEquals(0, in(0x64) & 0x01);
    }

    @Test
    void keyboardResetAndIdentify() {
        out(0x60, 0xFF);
        assertTrue(irq1.high);
        assertEquals(0xFA, readData());
        assertEquals(0xAA, readData());
        assertFalse(irq1.high);
        out(0x60, 0xF2);
        assertEquals(0xFA, readData());
        assertEquals(0xAB, readData());
        assertEquals(0x83, readData());
        out(0x60, 0xED);                 // set LEDs, then its argument
        assertEquals(0xFA, readData());
        out(0x60, 0x07);
        assertEquals(0xFA, readData());
        out(0x60, 0xEE);
        assertEquals(0xEE, readData());
        assertEquals(0xEE, in(0x60));    // an empty buffer reads its last byte again
        assertEquals(0, in(0x64) & 0x01);
    }

    @Test
    void scanCodesRaiseIrq1OnlyWhenEnabled() {
        kbc.keyboardInput(new byte[]{0x1E, (byte) 0x9E});
        assertEquals(1, irq1.takeEdges());
        assertEquals(0x1E, readData());
        assertTrue(irq1.high);
        assertEquals(0x9E, readData());
        assertFalse(irq1.high);
        command(0x60);
        out(0x60, 0x44);                 // IRQ1 disabled
        kbc.keyboardInput(new byte[]{0x1C});
        assertFalse(irq1.high);
        assertEquals(0x1C, readData());
    }

    @Test
    void writeKeyboardOutputBufferEchoes() {
        command(0xD2);
        out(0x60, 0x42);
        assertEquals(0x42, readData());
    }
}

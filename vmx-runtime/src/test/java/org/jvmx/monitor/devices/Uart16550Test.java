package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Uart16550Test {

    private static final int B = 0x3F8;

    private RecordingLine irq;
    private ByteArrayOutputStream sent;
    private IoBus bus;
    private Uart16550 uart;

    @BeforeEach
    void setUp() {
        irq = new RecordingLine();
        sent = new ByteArrayOutputStream();
        bus = new IoBus();
        uart = new Uart16550(Uart16550.COM1, irq, sent::write).attach(bus);
    }

    private void out(int reg, int v) {
        bus.write(B + reg, 1, v);
    }

    private int in(int reg) {
        return (int) bus.read(B + reg, 1);
    }

    /** The usual driver init: 115200 8N1, FIFOs on with trigger 14, DTR/RTS/OUT2, interrupts as given. */
    private void init(int ier) {
        out(1, 0x00);
        out(3, 0x80);       // DLAB
        out(0, 0x01);       // divisor 1 = 115200
        out(1, 0x00);
        out(3, 0x03);       // 8N1, DLAB off
        out(2, 0xC7);       // FIFO enable, clear both, trigger 14
        out(4, 0x0B);       // DTR, RTS, OUT2
        out(1, ier);
    }

    @Test
    void initProgramsDivisorAndSendsBytes() {
        init(0x00);
        assertEquals(115_200, uart.baudRate());
        assertEquals(0x03, in(3));
        for (byte b : "hello\n".getBytes(StandardCharsets.US_ASCII)) {
            while ((in(5) & 0x20) == 0) {
                // wait for THRE, as a polling driver does
            }
            out(0, b);
        }
        assertEquals("hello\n", sent.toString(StandardCharsets.US_ASCII));
        assertEquals(0x60, in(5));      // THRE and TEMT, no data
        assertEquals(0xC1, in(2));      // FIFOs enabled, no interrupt
        out(3, 0x80);
        assertEquals(0x01, in(0));
        assertEquals(0x00, in(1));
        out(0, 0x0C);
        assertEquals(9600, uart.baudRate());
        out(3, 0x03);
    }

    @Test
    void receiveRaisesRxInterruptAndIirReportsIt() {
        init(0x01);                      // ERBFI
        assertFalse(irq.high);
        uart.receive(new byte[]{'a'});
        assertTrue(irq.high);
        // Below the trigger level (14): character timeout.
        assertEquals(0xCC, in(2));
        assertEquals(0x61, in(5));
        assertEquals('a', in(0));
        assertFalse(irq.high);
        assertEquals(0xC1, in(2));
        assertEquals(0x60, in(5));
    }

    @Test
    void triggerLevelReachedGivesReceivedDataAvailable() {
        init(0x01);
        out(2, 0x41);                    // trigger 4
        uart.receive("abcd".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xC4, in(2));
        assertEquals('a', in(0));
        assertEquals(0xCC, in(2));       // 3 left: below trigger, timeout
        StringBuilder got = new StringBuilder("a");
        while ((in(5) & 0x01) != 0) {
            got.append((char) in(0));
        }
        assertEquals("abcd", got.toString());
        assertEquals(0xC1, in(2));
    }

    @Test
    void hostBacklogEntersFifoAsTheGuestDrains() {
        init(0x01);
        byte[] data = new byte[40];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        uart.receive(data);
        assertEquals(24, uart.backlog());
        assertEquals(0xC4, in(2));       // 16 >= 14
        for (int i = 0; i < data.length; i++) {
            assertEquals(0x01, in(5) & 0x01);
            assertEquals(i, in(0));
        }
        assertEquals(0, in(5) & 0x01);
        assertEquals(0, in(5) & 0x02);   // nothing overrun
    }

    @Test
    void withoutFifoTheHoldingRegisterHoldsOneByte() {
        out(2, 0x00);
        out(4, 0x08);
        out(1, 0x01);
        uart.receive(new byte[]{1, 2});
        assertEquals(0x04, in(2));       // no FIFO bits, RDA
        assertEquals(1, in(0));
        assertEquals(0x04, in(2));
        assertEquals(2, in(0));
        assertEquals(0x01, in(2));
    }

    @Test
    void thrEmptyInterruptOnEnableClearedByIirRead() {
        init(0x00);
        irq.takeEdges();
        out(1, 0x02);                    // ETBEI with THR empty: interrupt at once
        assertTrue(irq.high);
        assertEquals(0xC2, in(2));
        assertFalse(irq.high);           // reading IIR with THRE as source clears it
        assertEquals(0xC1, in(2));
        out(0, 'x');                     // the byte leaves; THR empty again: new edge
        assertTrue(irq.high);
        assertEquals(2, irq.takeEdges());
        assertEquals(0xC2, in(2));
    }

    @Test
    void interruptPrioritiesLineStatusThenDataThenThre() {
        init(0x0F);
        // Overrun in loopback mode: fill the FIFO beyond 16 bytes. Dropping RTS changes the looped-back CTS.
        out(4, 0x19);
        for (int i = 0; i < 17; i++) {
            out(0, i);
        }
        assertEquals(0xC6, in(2));       // receiver line status first
        assertEquals(0x63, in(5) & 0x63); // DR | OE, reading LSR clears OE
        assertEquals(0, in(5) & 0x02);
        assertEquals(0xC4, in(2));       // then received data (16 >= 14)
        for (int i = 0; i < 16; i++) {
            in(0);
        }
        assertEquals(0xC2, in(2));       // then THR empty
        assertEquals(0xC0, in(2));       // then modem status (the MCR write changed the loopback inputs)
        in(6);
        assertEquals(0xC1, in(2));
    }

    @Test
    void out2GatesTheIrqLineAndLoopbackDisconnectsIt() {
        out(2, 0xC7);
        out(4, 0x03);                    // no OUT2
        out(1, 0x01);
        uart.receive(new byte[]{'z'});
        assertEquals(0xCC, in(2));       // pending inside the UART...
        assertFalse(irq.high);           // ...but not on the bus
        out(4, 0x0B);
        assertTrue(irq.high);
        out(4, 0x1B);
        assertFalse(irq.high);
    }

    @Test
    void loopbackMirrorsModemControlAsLinuxProbesIt() {
        // serial8250 autoconfig: MCR = LOOP | 0x0A must give MSR & 0xF0 == 0x90.
        out(4, 0x1A);
        assertEquals(0x90, in(6) & 0xF0);
        out(4, 0x1F);
        assertEquals(0xF0, in(6) & 0xF0);
        out(0, 'L');
        assertEquals(0x01, in(5) & 0x01);
        assertEquals('L', in(0));
        assertEquals(0, sent.size());
        out(4, 0x03);
        assertEquals(0xB0, in(6) & 0xF0);  // CTS, DSR, DCD from the attached terminal
    }

    @Test
    void modemStatusDeltasAndTrailingEdgeOfRing() {
        out(4, 0x08);
        out(1, 0x08);
        in(6);
        uart.setModemInputs(0xF0);       // RI rises
        assertEquals(0x01, in(2) & 0x0F);
        uart.setModemInputs(0x30);       // RI falls, DCD drops
        assertTrue(irq.high);
        assertEquals(0x00, in(2));
        assertEquals(0x3C & 0x0C, in(6) & 0x0C); // TERI | DDCD
        assertEquals(0x01, in(2));
    }

    @Test
    void fifoDetectionAndScratchRegister() {
        out(2, 0x01);
        assertEquals(0xC0, in(2) & 0xC0); // a 16550A
        out(2, 0x00);
        assertEquals(0x00, in(2) & 0xC0);
        out(7, 0xA5);
        assertEquals(0xA5, in(7));
        out(7, 0x5A);
        assertEquals(0x5A, in(7));
    }

    @Test
    void linuxStyleProbeFindsA16550A() {
        // IER scratch test: IER reads back 0 and 0x0F.
        out(1, 0x00);
        assertEquals(0x00, in(1) & 0x0F);
        out(1, 0x0F);
        assertEquals(0x0F, in(1) & 0x0F);
        out(1, 0x00);
        // Loopback test: MSR & 0xF0 == 0x90 with MCR = LOOP | OUT2 | RTS.
        int saveMcr = in(4);
        out(4, 0x1A);
        assertEquals(0x90, in(6) & 0xF0);
        out(4, saveMcr);
        // FIFO test: IIR bits 7:6 == 3 means a 16550A.
        out(3, 0x00);
        out(2, 0x01);
        assertEquals(3, in(2) >> 6);
        // EFR probes: with LCR 0x80 or 0xBF, offset 2 still reads IIR (non-zero): no EFR, not a 16650.
        out(3, 0x80);
        assertTrue(in(2) != 0);
        out(3, 0xBF);
        assertTrue(in(2) != 0);
        // 16750 test: IIR bit 5 (64-byte FIFO) never set.
        out(3, 0x00);
        out(2, 0x21);
        assertEquals(6, in(2) >> 5);
        out(3, 0x80);
        out(2, 0x21);
        assertEquals(6, in(2) >> 5);
        out(3, 0x00);
        // Startup: THRE interrupt test reads IIR after enabling THRI twice; both see the interrupt.
        out(1, 0x02);
        assertEquals(0, in(2) & 0x01);
        out(1, 0x00);
        out(1, 0x02);
        assertEquals(0, in(2) & 0x01);
        out(1, 0x00);
        assertEquals(0x60, in(5) & 0x60);
    }

    @Test
    void hostInputWaitsWhileInLoopback() {
        init(0x00);
        out(4, 0x1B);
        uart.receive(new byte[]{'h'});
        assertEquals(0, in(5) & 0x01);
        out(0, 'l');
        assertEquals('l', in(0));
        out(4, 0x0B);
        assertEquals(0x01, in(5) & 0x01);
        assertEquals('h', in(0));
    }
}

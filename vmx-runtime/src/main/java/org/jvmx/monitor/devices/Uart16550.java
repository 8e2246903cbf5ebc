package org.jvmx.monitor.devices;

import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * A National Semiconductor PC16550D UART as a PC serial port (COM1 at 0x3F8, IRQ4; PC16550D datasheet, "Registers").
 * The line is infinitely fast: a byte written to THR goes to the host sink at once, so THR and the transmitter are
 * always empty again by the next access. Host input ({@link #receive(byte[])}) waits in a host-side backlog and
 * enters the 16-byte receive FIFO as the guest drains it, as a flow-controlled line would; nothing is overrun.
 *
 * <p>Because no time passes on this line, the character-timeout interrupt (IIR 0xC) is reported as soon as the FIFO
 * holds data below the trigger level, instead of four character times later: a guest with trigger level 8 still
 * sees a single received byte.
 *
 * <p>The IRQ output reaches the PIC only while MCR.OUT2 is set, as the PC's serial adapters gate it, and never in
 * loopback mode, where the chip forces OUT2 inactive.
 */
public final class Uart16550 implements ByteRegisterDevice {

    public static final int COM1 = 0x3F8, COM2 = 0x2F8, COM1_IRQ = 4, COM2_IRQ = 3;

    /** Register offsets from the base port. */
    public static final int RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

    public static final int IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MS = 0x08;
    public static final int IIR_NONE = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_TIMEOUT = 0x0C, IIR_THRE = 0x02,
            IIR_MS = 0x00, IIR_FIFO = 0xC0;
    public static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04;
    public static final int LCR_DLAB = 0x80;
    public static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    public static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10,
            LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFO_ERR = 0x80;
    public static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08, MSR_CTS = 0x10,
            MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;

    /** Receiver trigger levels selected by FCR bits 7:6. */
    private static final int[] TRIGGER = {1, 4, 8, 14};
    private static final int FIFO_SIZE = 16;
    /** The 1.8432 MHz crystal divided by 16: the baud rate for divisor 1. */
    public static final int BASE_BAUD = 115_200;

    private final int base;
    private final IrqLine irq;
    private final IntConsumer out;

    private final ArrayDeque<Integer> rxFifo = new ArrayDeque<>();
    private final ArrayDeque<Integer> backlog = new ArrayDeque<>();
    private int ier, lcr, mcr, scr, dll = 0x0C, dlm; // divisor 12 = 9600 baud, as a BIOS leaves it
    private int lsrErrors;         // OE/PE/FE/BI, cleared by reading LSR
    private boolean fifoEnabled;
    private int trigger = 1;
    private boolean thrInterrupt;  // THRE interrupt pending (cleared by reading IIR or writing THR)
    private int modemInputs = MSR_CTS | MSR_DSR | MSR_DCD; // a terminal is attached
    private int msrDeltas;
    private boolean irqLevel;

    public Uart16550(int base, IrqLine irq, IntConsumer out) {
        this.base = base;
        this.irq = irq;
        this.out = out;
    }

    /** Registers the eight ports from the base. */
    public Uart16550 attach(IoBus bus) {
        bus.register(base, 8, this);
        return this;
    }

    // ---- host side

    /** Bytes arriving on the line from the host; they enter the receive FIFO as it has room. */
    public synchronized void receive(byte[] bytes) {
        for (byte b : bytes) {
            backlog.add(b & 0xFF);
        }
        refill();
        update();
    }

    /** Host-side bytes not yet in the receive FIFO. */
    public synchronized int backlog() {
        return backlog.size();
    }

    /** The host side's modem status inputs (MSR bits 7:4: DCD, RI, DSR, CTS); a change sets the delta bits. */
    public synchronized void setModemInputs(int msrHighBits) {
        int now = msrHighBits & 0xF0;
        recordModemChange(modemInputs(), loopback() ? modemInputs() : now, now);
        update();
    }

    public synchronized int baudRate() {
        int divisor = dll | dlm << 8;
        return divisor == 0 ? 0 : BASE_BAUD / divisor;
    }

    // ---- registers

    @Override
    public synchronized int readByte(int port) {
        int v = switch (port - base) {
            case RBR_THR_DLL -> dlab() ? dll : readRbr();
            case IER_DLM -> dlab() ? dlm : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            case SCR -> scr;
            default -> 0xFF;
        };
        update();
        return v;
    }

    @Override
    public synchronized void writeByte(int port, int value) {
        value &= 0xFF;
        switch (port - base) {
            case RBR_THR_DLL -> {
                if (dlab()) {
                    dll = value;
                } else {
                    transmit(value);
                }
            }
            case IER_DLM -> {
                if (dlab()) {
                    dlm = value;
                } else {
                    // Enabling ETBEI with THR empty raises the THRE interrupt (PC16550D, "IIR": THRE source).
                    if ((value & IER_THRE) != 0 && (ier & IER_THRE) == 0) {
                        thrInterrupt = true;
                    }
                    ier = value & 0x0F;
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> writeMcr(value);
            case SCR -> scr = value;
            default -> { } // LSR and MSR are read-only (factory test writes ignored)
        }
        update();
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private boolean loopback() {
        return (mcr & MCR_LOOP) != 0;
    }

    private void transmit(int b) {
        if (loopback()) {
            // Loopback: the transmitter output feeds the receiver; a full FIFO overruns.
            if (rxFifo.size() < fifoCapacity()) {
                rxFifo.add(b);
            } else {
                lsrErrors |= LSR_OE;
            }
        } else {
            out.accept(b);
        }
        // Writing THR clears a THRE interrupt; the byte leaves at once and THR empties again, which raises it anew:
        // the line drops and rises, giving the edge-triggered PIC a fresh request.
        thrInterrupt = false;
        update();
        thrInterrupt = true;
    }

    private int readRbr() {
        Integer b = rxFifo.poll();
        refill();
        return b == null ? 0 : b;
    }

    /** Moves host bytes into the receive FIFO; in loopback the serial input is disconnected and they wait. */
    private void refill() {
        while (!loopback() && !backlog.isEmpty() && rxFifo.size() < fifoCapacity()) {
            rxFifo.add(backlog.poll());
        }
    }

    private int fifoCapacity() {
        return fifoEnabled ? FIFO_SIZE : 1;
    }

    /** The highest-priority pending source (PC16550D Table IV): RLS > RDA/timeout > THRE > modem status. */
    private int interruptId() {
        if ((ier & IER_RLS) != 0 && lsrErrors != 0) {
            return IIR_RLS;
        }
        if ((ier & IER_RDA) != 0 && !rxFifo.isEmpty()) {
            return rxFifo.size() >= (fifoEnabled ? trigger : 1) ? IIR_RDA : IIR_TIMEOUT;
        }
        if ((ier & IER_THRE) != 0 && thrInterrupt) {
            return IIR_THRE;
        }
        if ((ier & IER_MS) != 0 && msrDeltas != 0) {
            return IIR_MS;
        }
        return IIR_NONE;
    }

    private int readIir() {
        int id = interruptId();
        if (id == IIR_THRE) {
            thrInterrupt = false; // reading IIR when THRE is the source clears it
        }
        return id | (fifoEnabled ? IIR_FIFO : 0);
    }

    private int readLsr() {
        int v = lsrErrors | LSR_THRE | LSR_TEMT;
        if (!rxFifo.isEmpty()) {
            v |= LSR_DR;
        }
        if (fifoEnabled && (lsrErrors & (LSR_PE | LSR_FE | LSR_BI)) != 0) {
            v |= LSR_FIFO_ERR;
        }
        lsrErrors = 0;
        return v;
    }

    private int readMsr() {
        int v = modemInputs() | msrDeltas;
        msrDeltas = 0;
        return v;
    }

    /** MSR 7:4; in loopback DCD = OUT2, RI = OUT1, DSR = DTR, CTS = RTS (PC16550D, "MCR" bit 4). */
    private int modemInputs() {
        if (!loopback()) {
            return modemInputs;
        }
        return ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0) | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0)
                | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0) | ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0);
    }

    private void writeMcr(int value) {
        int before = modemInputs();
        mcr = value & 0x1F;
        recordModemChange(before, modemInputs(), modemInputs);
        refill();
    }

    private void recordModemChange(int before, int after, int hostInputs) {
        modemInputs = hostInputs;
        int changed = before ^ after;
        if ((changed & MSR_CTS) != 0) {
            msrDeltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msrDeltas |= MSR_DDSR;
        }
        if ((changed & MSR_DCD) != 0) {
            msrDeltas |= MSR_DDCD;
        }
        if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) {
            msrDeltas |= MSR_TERI; // trailing edge of ring indicator
        }
    }

    private void writeFcr(int value) {
        boolean enable = (value & FCR_ENABLE) != 0;
        if (enable != fifoEnabled) {
            rxFifo.clear(); // changing FCR0 resets both FIFOs
        }
        fifoEnabled = enable;
        if (enable) {
            if ((value & FCR_CLEAR_RX) != 0) {
                rxFifo.clear();
            }
            trigger = TRIGGER[value >> 6 & 3];
        }
        refill();
    }

    private void update() {
        boolean level = interruptId() != IIR_NONE && (mcr & MCR_OUT2) != 0 && !loopback();
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }
}

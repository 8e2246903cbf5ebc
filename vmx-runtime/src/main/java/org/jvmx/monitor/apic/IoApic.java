package org.jvmx.monitor.apic;

import java.util.List;
import java.util.function.IntConsumer;
import org.jvmx.monitor.devices.IrqLine;
import org.jvmx.translator.mem.MmioHandler;

/**
 * The I/O APIC (82093AA datasheet): 24 interrupt inputs, each routed by a 64-bit redirection-table entry to a
 * local APIC. Software reaches its registers indirectly: it writes a register index to IOREGSEL (offset 0x00) and
 * reads or writes the 32-bit IOWIN (0x10); offset 0x40 is the EOI register of version 20H parts.
 *
 * <p>Inputs are {@link IrqLine}s carrying the asserted state of each line (the board's wiring already accounts for
 * active-low PCI lines), so the polarity bit is kept and read back but does not invert the input. Edge-triggered
 * entries send one message per rising edge; an edge while masked is lost. Level-triggered entries send a message
 * while the line is asserted and remote IRR is clear, set remote IRR, and send again after the local APIC's EOI
 * for the vector clears it if the line is still asserted.
 *
 * <p>Messages go to the machine's local APICs: a physical destination is an APIC ID or 0xFF (all), a logical one
 * is matched against each LDR. Fixed delivery reaches every matching APIC, lowest priority one of them (the
 * lowest-numbered; the SDM leaves the choice to the chipset, Vol. 3A 11.6.2.4); other delivery modes (SMI, NMI,
 * INIT, ExtINT) are not modelled and their messages are dropped. A listener learns which APIC accepted a
 * message, so that the monitor can wake that processor.
 */
public final class IoApic implements MmioHandler {

    public static final long DEFAULT_BASE = 0xFEC0_0000L;
    public static final int MMIO_SIZE = 0x1000;
    public static final int PINS = 24;

    static final int IOREGSEL = 0x00, IOWIN = 0x10, EOI = 0x40;
    static final int REG_ID = 0x00, REG_VERSION = 0x01, REG_ARBITRATION = 0x02, REG_REDIRECTION = 0x10;
    /** Version 20H, maximum redirection entry 23 (datasheet 3.2.2). */
    static final int VERSION_VALUE = 0x20 | (PINS - 1) << 16;

    /** Redirection-entry bits (datasheet 3.2.4). */
    static final long VECTOR = 0xFF, DELIVERY_MODE = 7L << 8, DEST_LOGICAL = 1L << 11, DELIVERY_STATUS = 1L << 12,
            POLARITY_LOW = 1L << 13, REMOTE_IRR = 1L << 14, LEVEL = 1L << 15, MASKED = 1L << 16;
    /** Software-writable bits: all but delivery status and remote IRR, destination in 63:56. */
    static final long WRITABLE = 0xFF00_0000_0001_AFFFL;

    private final List<LocalApic> apics;
    private volatile IntConsumer accepted = i -> { };
    private int select;
    private int id;
    private final long[] entries = new long[PINS];
    private final boolean[] asserted = new boolean[PINS];

    /** Connects to {@code apic} (a single-processor machine) and listens for its level-triggered EOIs. */
    public IoApic(LocalApic apic) {
        this(List.of(apic));
    }

    /** Connects to the local APICs of a machine's processors and listens for their level-triggered EOIs. */
    public IoApic(List<LocalApic> apics) {
        this.apics = List.copyOf(apics);
        java.util.Arrays.fill(entries, MASKED);
        for (LocalApic a : this.apics) a.onLevelEoi(this::endOfInterrupt);
    }

    /** Called with the index (in the constructor's list) of each local APIC that accepts a message. */
    public void onAccepted(IntConsumer listener) {
        this.accepted = listener;
    }

    /** The input for global system interrupt {@code gsi} (0..23). */
    public IrqLine line(int gsi) {
        if (gsi < 0 || gsi >= PINS) {
            throw new IllegalArgumentException("I/O APIC input out of range: " + gsi);
        }
        return high -> setLine(gsi, high);
    }

    /** The raw redirection entry for {@code pin} (for the monitor and tests). */
    public synchronized long entry(int pin) {
        return entries[pin];
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset == IOREGSEL) {
            return select;
        }
        if (offset == IOWIN && size == 4) {
            return readRegister(select) & 0xFFFF_FFFFL;
        }
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        int deliver = -1;
        synchronized (this) {
            if (offset == IOREGSEL) {
                select = (int) value & 0xFF;
            } else if (offset == IOWIN && size == 4) {
                deliver = writeRegister(select, (int) value);
            } else if (offset == EOI) {
                endOfInterrupt((int) value & 0xFF);
            }
        }
        if (deliver >= 0) {
            send(deliver);
        }
    }

    private int readRegister(int index) {
        if (index >= REG_REDIRECTION && index < REG_REDIRECTION + 2 * PINS) {
            long e = entries[(index - REG_REDIRECTION) >> 1];
            return (int) ((index & 1) == 0 ? e : e >>> 32);
        }
        return switch (index) {
            case REG_ID, REG_ARBITRATION -> id << 24;
            case REG_VERSION -> VERSION_VALUE;
            default -> 0;
        };
    }

    /** Returns the pin that now has a message to send (an unmasked, asserted level entry), or -1. */
    private int writeRegister(int index, int value) {
        if (index == REG_ID) {
            id = value >>> 24 & 0xF;
            return -1;
        }
        if (index < REG_REDIRECTION || index >= REG_REDIRECTION + 2 * PINS) {
            return -1; // version and arbitration are read-only
        }
        int pin = (index - REG_REDIRECTION) >> 1;
        long e = entries[pin];
        long v = value & 0xFFFF_FFFFL;
        long written = (index & 1) == 0 ? e & ~0xFFFF_FFFFL | v : e & 0xFFFF_FFFFL | v << 32;
        entries[pin] = written & WRITABLE | e & REMOTE_IRR;
        if ((entries[pin] & LEVEL) == 0) {
            entries[pin] &= ~REMOTE_IRR;
        }
        return levelPending(pin) ? pin : -1;
    }

    /** An unmasked level-triggered input that is asserted and not waiting for EOI. */
    private boolean levelPending(int pin) {
        long e = entries[pin];
        return asserted[pin] && (e & LEVEL) != 0 && (e & (MASKED | REMOTE_IRR)) == 0;
    }

    private void setLine(int pin, boolean high) {
        boolean deliver;
        synchronized (this) {
            boolean rising = high && !asserted[pin];
            asserted[pin] = high;
            long e = entries[pin];
            deliver = (e & LEVEL) != 0 ? levelPending(pin) : rising && (e & MASKED) == 0;
        }
        if (deliver) {
            send(pin);
        }
    }

    /** EOI broadcast (or a write to the EOI register): clears remote IRR of level entries for {@code vector}. */
    public void endOfInterrupt(int vector) {
        int pins = 0;
        synchronized (this) {
            for (int pin = 0; pin < PINS; pin++) {
                long e = entries[pin];
                if ((e & LEVEL) != 0 && (e & REMOTE_IRR) != 0 && (e & VECTOR) == vector) {
                    entries[pin] = e & ~REMOTE_IRR;
                    if (levelPending(pin)) {
                        pins |= 1 << pin;
                    }
                }
            }
        }
        for (int pin = 0; pin < PINS; pin++) {
            if ((pins & 1 << pin) != 0) {
                send(pin);
            }
        }
    }

    /** Sends pin's interrupt message to the local APICs (called without the I/O APIC lock held). */
    private void send(int pin) {
        long e;
        synchronized (this) {
            e = entries[pin];
            if ((e & MASKED) != 0) {
                return;
            }
            if ((e & LEVEL) != 0) {
                if ((e & REMOTE_IRR) != 0 || !asserted[pin]) {
                    return; // another thread already sent it
                }
                entries[pin] = e | REMOTE_IRR;
            }
        }
        int mode = (int) (e >> 8 & 7);
        boolean logical = (e & DEST_LOGICAL) != 0;
        long dest = e >>> 56;
        boolean taken = false;
        if (mode == Ipi.FIXED || mode == Ipi.LOWEST_PRIORITY) {
            for (int i = 0; i < apics.size(); i++) {
                LocalApic a = apics.get(i);
                if ((dest == 0xFF || a.matches(dest, logical)) && a.accept((int) (e & VECTOR), (e & LEVEL) != 0)) {
                    taken = true;
                    accepted.accept(i);
                    if (mode == Ipi.LOWEST_PRIORITY) break;
                }
            }
        }
        if (!taken && (e & LEVEL) != 0) {
            // remote IRR records a level interrupt a local APIC accepted; nobody did, so no EOI will come
            synchronized (this) {
                entries[pin] &= ~REMOTE_IRR;
            }
        }
    }
}

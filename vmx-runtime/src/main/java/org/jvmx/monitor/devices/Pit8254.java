package org.jvmx.monitor.devices;

import java.util.function.LongSupplier;

/**
 * The PC's Intel 8254 programmable interval timer at ports 0x40-0x43 (8254 datasheet), plus the timer bits of
 * system control port B at 0x61 (IBM PC/AT technical reference): bit 0 is counter 2's GATE, bit 1 the speaker
 * data enable, bit 4 the refresh-request toggle, bit 5 counter 2's OUT. Linux and SeaBIOS calibrate the TSC by
 * starting counter 2 in mode 0 through port 0x61 and polling bit 5.
 *
 * <p>Time comes from an injected nanosecond clock. Counter 0's OUT drives IRQ0; there is no timer thread: the run
 * loop asks {@link #nextEventNanos()} when IRQ0 can next rise and calls {@link #poll(long)}, which raises one edge
 * on IRQ0 however many periods elapsed since the last poll (late ticks coalesce, as they would in the PIC's IRR).
 */
public final class Pit8254 implements ByteRegisterDevice {

    public static final int COUNTER0 = 0x40, COUNTER1 = 0x41, COUNTER2 = 0x42, CONTROL = 0x43;
    public static final int PORT_B = 0x61;
    public static final long INPUT_HZ = PitClock.HZ;

    /** DRAM refresh requests come every 15.085 us on the AT; port B bit 4 toggles with each. */
    private static final long REFRESH_NANOS = 15_085;

    private final PitChannel[] channels = {new PitChannel(), new PitChannel(), new PitChannel()};
    private final LongSupplier nanos;
    private final IrqLine irq0;
    private int portB;   // bits 3:0 as last written

    public Pit8254(LongSupplier nanos, IrqLine irq0) {
        this.nanos = nanos;
        this.irq0 = irq0;
        channels[2].gate = false; // port B resets to 0: counter 2 gated off
    }

    /** Registers ports 0x40-0x43 and 0x61. */
    public Pit8254 attach(IoBus bus) {
        bus.register(COUNTER0, 4, this);
        bus.register(PORT_B, 1, this);
        return this;
    }

    @Override
    public synchronized int readByte(int port) {
        long now = nanos.getAsLong();
        return switch (port) {
            case COUNTER0, COUNTER1, COUNTER2 -> channels[port - COUNTER0].read(now);
            case PORT_B -> portB & 0x0F
                    | (int) (Math.floorDiv(now, REFRESH_NANOS) & 1) << 4
                    | (channels[2].out(now) ? 0x20 : 0);
            default -> 0xFF; // the control register cannot be read
        };
    }

    @Override
    public synchronized void writeByte(int port, int value) {
        long now = nanos.getAsLong();
        switch (port) {
            case COUNTER0, COUNTER1, COUNTER2 -> channels[port - COUNTER0].writeCount(value & 0xFF, now);
            case CONTROL -> control(value & 0xFF, now);
            case PORT_B -> {
                portB = value & 0x0F;
                channels[2].setGate((value & 1) != 0, now);
            }
            default -> { }
        }
    }

    /** Control word: SC (7:6), RW (5:4), M (3:1), BCD (0); SC = 3 is the read-back command, RW = 0 a latch. */
    private void control(int v, long now) {
        int sc = v >> 6;
        int rw = v >> 4 & 3;
        if (sc == 3) {
            readBack(v, now);
        } else if (rw == PitChannel.RW_LATCH) {
            channels[sc].latchCount(now);
        } else {
            channels[sc].program(rw, v >> 1 & 7, (v & 1) != 0);
        }
    }

    /** Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 3:1 select counters 2, 1, 0. */
    private void readBack(int v, long now) {
        for (int c = 0; c < 3; c++) {
            if ((v & (2 << c)) == 0) {
                continue;
            }
            if ((v & 0x10) == 0) {
                channels[c].latchStatus(now);
            }
            if ((v & 0x20) == 0) {
                channels[c].latchCount(now);
            }
        }
    }

    // ---- the run loop's side

    /** When counter 0's OUT next rises (IRQ0), in the clock's nanoseconds; Long.MAX_VALUE if never. */
    public synchronized long nextEventNanos() {
        return channels[0].nextEdgeNanos(nanos.getAsLong());
    }

    /**
     * Raises IRQ0 if counter 0's OUT rose since the last poll: one low-to-high edge for the PIC. Returns how many
     * rising edges elapsed (more than one means the run loop was late and ticks were merged).
     */
    public synchronized long poll(long now) {
        PitChannel c = channels[0];
        if (!c.counting() || ((c.mode == 1 || c.mode == 5) && !c.triggered)) {
            return 0;
        }
        long edges = c.risingEdges(c.ticks(now));
        long fresh = edges - c.edgesSeen;
        if (fresh > 0) {
            c.edgesSeen = edges;
            irq0.set(false);
            irq0.set(true);
        }
        return Math.max(0, fresh);
    }

    // ---- inspection, for the monitor and tests

    /** Current binary counting-element value of counter {@code ch}. */
    public synchronized long counter(int ch) {
        return channels[ch].value(nanos.getAsLong());
    }

    public synchronized boolean out(int ch) {
        return channels[ch].out(nanos.getAsLong());
    }

    /** The count N programmed into counter {@code ch} (1..65536), 0 if none yet. */
    public synchronized long reload(int ch) {
        return channels[ch].loaded ? channels[ch].count : 0;
    }

    public synchronized int mode(int ch) {
        return channels[ch].mode;
    }
}

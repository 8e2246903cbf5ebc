package org.jvmx.monitor.devices;

/**
 * One counter of the Intel 8254 programmable interval timer (8254 datasheet, "Modes of Operation"). Nothing ticks:
 * the counting element's value and the OUT level are computed from the number of input-clock ticks elapsed since
 * counting began. Not thread-safe; {@link Pit8254} serializes.
 *
 * <p>Simplification: writing a new count while a counter runs restarts it at once in every mode (the chip applies
 * it at the end of the current period in modes 2 and 3, or at the next trigger in modes 1 and 5); drivers program
 * the count before relying on the period.
 */
final class PitChannel {

    static final int RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_LSB_MSB = 3;

    int mode;               // 0-5 (6 and 7 alias 2 and 3)
    int rw = RW_LSB_MSB;
    boolean bcd;
    long count;             // N: 1..65536 (binary) or 1..10000 (BCD); a written 0 is the maximum
    boolean loaded;         // a complete count has been written since the control word
    boolean nullCount;      // status bit 6: count written but not yet loaded
    boolean gate = true;
    boolean triggered;      // modes 1 and 5: a gate rising edge has started the count

    private boolean running;
    private long startNanos;
    private long baseTicks; // ticks counted before the current running stretch
    long edgesSeen;         // rising OUT edges already reported by poll

    private boolean writeHigh;  // LSB-then-MSB write flip-flop
    private int pendingLow;
    private boolean readHigh;   // LSB-then-MSB read flip-flop (shared by latched and live reads)
    private boolean countLatched, statusLatched;
    private int latchedCount, latchedStatus;

    // ---- programming

    /** Control word with RW != 0: new mode; counting stops until a count is written; OUT takes its initial level. */
    void program(int rwBits, int modeBits, boolean bcdFlag) {
        rw = rwBits;
        mode = modeBits > 5 ? modeBits - 4 : modeBits;
        bcd = bcdFlag;
        loaded = false;
        nullCount = true;
        running = false;
        triggered = false;
        baseTicks = 0;
        edgesSeen = 0;
        writeHigh = false;
        readHigh = false;
        countLatched = false;
        statusLatched = false;
    }

    void writeCount(int v, long now) {
        switch (rw) {
            case RW_LSB -> load(v, now);
            case RW_MSB -> load(v << 8, now);
            default -> {
                if (!writeHigh) {
                    pendingLow = v;
                    writeHigh = true;
                    if (mode == 0) {
                        // Mode 0: writing the first byte of a two-byte count stops counting and drives OUT low.
                        loaded = false;
                        running = false;
                    }
                } else {
                    writeHigh = false;
                    load(pendingLow | v << 8, now);
                }
            }
        }
    }

    private void load(int raw, long now) {
        long n = bcd ? fromBcd(raw) : raw;
        count = n == 0 ? modulus() : n;
        loaded = true;
        nullCount = false;
        baseTicks = 0;
        edgesSeen = 0;
        if (mode == 1 || mode == 5) {
            running = triggered;
            startNanos = now;
        } else {
            startNanos = now;
            running = gate;
        }
    }

    /** GATE input. Modes 0/4: low suspends counting; 2/3: low suspends and forces OUT high, rising reloads;
     *  1/5: rising edge (re)triggers. */
    void setGate(boolean high, long now) {
        if (high == gate) {
            return;
        }
        gate = high;
        if (!loaded) {
            return;
        }
        switch (mode) {
            case 1, 5 -> {
                if (high) {
                    triggered = true;
                    restart(now);
                }
            }
            case 2, 3 -> {
                if (high) {
                    restart(now);
                } else {
                    running = false;
                }
            }
            default -> {
                if (high) {
                    startNanos = now;
                    running = true;
                } else {
                    baseTicks = clocks(now);
                    running = false;
                }
            }
        }
    }

    private void restart(long now) {
        baseTicks = 0;
        edgesSeen = 0;
        startNanos = now;
        running = true;
    }

    // ---- counting

    long modulus() {
        return bcd ? 10_000 : 65_536;
    }

    /** Input-clock pulses since the count was written (or the trigger), not counting pauses. */
    private long clocks(long now) {
        return running ? baseTicks + PitClock.ticks(Math.max(0, now - startNanos)) : baseTicks;
    }

    /**
     * Decrements so far. The first CLK pulse after the count is written (or the trigger) only moves the count
     * into the counting element, which is why the datasheet has OUT change "N + 1 CLK pulses" after writing N.
     */
    long ticks(long now) {
        return Math.max(0, clocks(now) - 1);
    }

    boolean counting() {
        return loaded && running;
    }

    /** The counting element, 0..modulus-1 (binary). */
    long value(long now) {
        if (!loaded) {
            return 0;
        }
        if ((mode == 1 || mode == 5) && !triggered) {
            return count % modulus();
        }
        long d = ticks(now);
        long n = count;
        return switch (mode) {
            case 2 -> n - d % n;
            case 3 -> {
                long half = (n + 1) / 2;
                long phase = d % n;
                long p = phase < half ? phase : phase - half;
                long v = (n - 2 * p) & ~1L;
                yield v <= 0 ? 2 : v;
            }
            default -> Math.floorMod(n - d, modulus());
        } % modulus();
    }

    /** The OUT pin. */
    boolean out(long now) {
        if (!loaded) {
            return mode != 0; // mode 0 drives OUT low from the control word on; the others high
        }
        if ((mode == 1 || mode == 5) && !triggered) {
            return true;
        }
        if ((mode == 2 || mode == 3) && !gate) {
            return true;
        }
        long d = ticks(now);
        long n = count;
        return switch (mode) {
            case 0, 1 -> d >= n;
            case 2 -> n < 2 || d % n != n - 1;
            case 3 -> d % n < (n + 1) / 2;
            default -> d != n; // 4, 5: one-clock low strobe when the count expires
        };
    }

    /** Rising OUT edges in ticks (0, d]. */
    long risingEdges(long d) {
        long n = count;
        return switch (mode) {
            case 0, 1 -> d >= n ? 1 : 0;
            case 2, 3 -> n < 2 && mode == 2 ? 0 : d / n;
            default -> d >= n + 1 ? 1 : 0;
        };
    }

    /** Tick count of the next rising OUT edge after {@code d}, or -1 if there is none. */
    long nextRisingEdge(long d) {
        long n = count;
        return switch (mode) {
            case 0, 1 -> d < n ? n : -1;
            case 2, 3 -> n < 2 && mode == 2 ? -1 : (d / n + 1) * n;
            default -> d < n + 1 ? n + 1 : -1;
        };
    }

    /** Absolute time of the next rising OUT edge, or Long.MAX_VALUE. */
    long nextEdgeNanos(long now) {
        if (!counting() || ((mode == 1 || mode == 5) && !triggered)) {
            return Long.MAX_VALUE;
        }
        long next = nextRisingEdge(ticks(now));
        if (next < 0) {
            return Long.MAX_VALUE;
        }
        return startNanos + PitClock.nanos(next + 1 - baseTicks);
    }

    // ---- reading

    /** Counter latch command: freezes the output latch until read; ignored while a latched count is unread. */
    void latchCount(long now) {
        if (!countLatched) {
            countLatched = true;
            latchedCount = presented(value(now));
        }
    }

    /** Read-back status latch: ignored while a latched status is unread. */
    void latchStatus(long now) {
        if (!statusLatched) {
            statusLatched = true;
            latchedStatus = (out(now) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | rw << 4 | mode << 1 | (bcd ? 1 : 0);
        }
    }

    int read(long now) {
        if (statusLatched) {
            statusLatched = false;
            return latchedStatus;
        }
        int v = countLatched ? latchedCount : presented(value(now));
        int b = switch (rw) {
            case RW_LSB -> {
                countLatched = false;
                yield v & 0xFF;
            }
            case RW_MSB -> {
                countLatched = false;
                yield v >> 8 & 0xFF;
            }
            default -> {
                boolean high = readHigh;
                readHigh = !readHigh;
                if (high) {
                    countLatched = false;
                }
                yield high ? v >> 8 & 0xFF : v & 0xFF;
            }
        };
        return b;
    }

    /** The 16-bit value on the read port: binary, or four BCD digits. */
    private int presented(long v) {
        return bcd ? toBcd((int) v) : (int) (v & 0xFFFF);
    }

    static int toBcd(int v) {
        return v % 10 | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12;
    }

    static int fromBcd(int raw) {
        return (raw & 0xF) + (raw >> 4 & 0xF) * 10 + (raw >> 8 & 0xF) * 100 + (raw >> 12 & 0xF) * 1000;
    }
}

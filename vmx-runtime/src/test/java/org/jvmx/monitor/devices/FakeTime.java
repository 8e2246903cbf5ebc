package org.jvmx.monitor.devices;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/** A hand-advanced time source: nanoseconds for the PIT and a {@link Clock} for the RTC, moving together. */
final class FakeTime extends Clock implements LongSupplier {

    private final long epochSecond;
    long nanos;

    FakeTime(Instant start) {
        this.epochSecond = start.getEpochSecond();
        this.nanos = start.getNano();
    }

    FakeTime() {
        this(Instant.EPOCH);
    }

    void advance(long ns) {
        nanos += ns;
    }

    void advanceMillis(long ms) {
        nanos += ms * 1_000_000;
    }

    @Override
    public long getAsLong() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}

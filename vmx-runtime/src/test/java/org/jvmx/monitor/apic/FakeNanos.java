package org.jvmx.monitor.apic;

import java.util.function.LongSupplier;

/** A hand-advanced nanosecond clock. */
final class FakeNanos implements LongSupplier {

    long now;

    void advance(long ns) {
        now += ns;
    }

    @Override
    public long getAsLong() {
        return now;
    }
}

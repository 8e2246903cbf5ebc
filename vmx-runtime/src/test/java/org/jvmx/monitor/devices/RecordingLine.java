package org.jvmx.monitor.devices;

/** An IRQ line that records its level and counts rising edges. */
final class RecordingLine implements IrqLine {

    boolean high;
    int risingEdges;

    @Override
    public void set(boolean level) {
        if (level && !high) {
            risingEdges++;
        }
        high = level;
    }

    /** Rising edges since the last call. */
    int takeEdges() {
        int n = risingEdges;
        risingEdges = 0;
        return n;
    }
}

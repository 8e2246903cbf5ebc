package org.jvmx.monitor.devices;

/**
 * One interrupt request line from a device to the interrupt controller. ISA interrupt lines are edge-triggered:
 * the 8259A latches a request on the low-to-high transition (8259A datasheet, "Edge Triggered Mode"), so a device
 * that wants another interrupt while its line is still high must first drop it ({@link #pulse()}).
 */
@FunctionalInterface
public interface IrqLine {

    /** Drives the line to {@code high}. Setting the level it already has is not an edge and changes nothing. */
    void set(boolean high);

    default void raise() {
        set(true);
    }

    default void lower() {
        set(false);
    }

    /** A low-high-low pulse: one edge for an edge-triggered controller, line left low. */
    default void pulse() {
        set(false);
        set(true);
        set(false);
    }

    /** A line connected to nothing (a device whose interrupt is not wired). */
    IrqLine NONE = high -> { };
}

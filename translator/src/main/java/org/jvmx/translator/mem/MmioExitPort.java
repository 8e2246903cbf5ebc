package org.jvmx.translator.mem;

/**
 * The per-vCPU receiver of accesses to MMIO exit regions ({@link PhysicalMemory#addMmioExit}):
 * ranges no device in the runtime serves, whose accesses leave the guest as VM exits carrying
 * the guest-physical address and the decoded access. Each CPU's {@link LinearMemory} holds its
 * own port, so the replay state of one vCPU never meets another's.
 *
 * <p>A method either answers (a read value, a recorded write) or throws to leave the run loop
 * before the instruction changed any state (an {@code exec.LeaveRequest} with completed = false).
 */
public interface MmioExitPort {
    /** A data read of {@code size} bytes at {@code gpa} (linear address {@code linear}); the value, zero-extended. */
    long read(long gpa, int size, long linear);

    /** A data write of the low {@code size} bytes of {@code value}. */
    void write(long gpa, int size, long value, long linear);

    /**
     * A locked compare-and-exchange (LOCK prefix, XCHG): the read and the write of one locked
     * access. Returns the old value; the update is written iff it equals {@code expected}.
     */
    long compareAndExchange(long gpa, int size, long expected, long update, long linear);

    /** An instruction fetch: never answered (code does not run from MMIO), always leaves. */
    long fetch(long gpa, int size, long linear);
}

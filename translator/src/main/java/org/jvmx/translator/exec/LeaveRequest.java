package org.jvmx.translator.exec;

/**
 * Thrown by a semantics (HLT) or by the sensitive-instruction interface (a VM exit) to leave
 * the run loop. {@code completed}: the instruction finished (RIP after it); otherwise it did
 * not execute and RIP stays on it (as a VM exit reports it).
 */
public final class LeaveRequest extends RuntimeException {
    public final Exit exit;
    public final boolean completed;

    public LeaveRequest(Exit exit, boolean completed) {
        // No stack trace and no message built up front: a VM exit is on the fast path.
        super(null, null, false, false);
        this.exit = exit;
        this.completed = completed;
    }

    @Override
    public String getMessage() {
        return exit.toString();
    }
}

package org.jvmx.decoder;

/** How an instruction changes the flow of control. */
public enum FlowKind {
    NONE, JUMP, CONDITIONAL_JUMP, CALL, RETURN, INTERRUPT, SYSTEM, INDIRECT_JUMP, INDIRECT_CALL, XBEGIN;

    private static final FlowKind[] VALUES = values();

    static FlowKind of(int ordinal) {
        return VALUES[ordinal];
    }

    /** True when the instruction may not fall through to the next one (ends a basic block). */
    public boolean endsBlock() {
        return this != NONE;
    }
}

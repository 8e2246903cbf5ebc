package org.jvmx.translator.exec;

/**
 * Why {@link Engine#run} returned. {@code FAULT} carries the architectural exception (the
 * state is that of the faulting instruction, RIP pointing at it); delivering it through the
 * IDT, or turning it into a VM exit, is the caller's job.
 */
public record Exit(Kind kind, int vector, int errorCode, long faultAddress, Object detail) {
    public enum Kind {
        /** RIP reached {@link Cpu#stopAt}. */
        STOPPED,
        /** HLT executed (RIP after it). */
        HALTED,
        /** An exception was raised: {@link #vector()}, {@link #errorCode()}, and CR2 for #PF. */
        FAULT,
        /** The instruction budget ran out. */
        BUDGET,
        /** {@link Cpu#stopRequested} was set, or a sensitive instruction asked to leave ({@link #detail()}). */
        REQUESTED
    }

    public static final Exit STOPPED = new Exit(Kind.STOPPED, -1, 0, 0, null);
    public static final Exit HALTED = new Exit(Kind.HALTED, -1, 0, 0, null);
    public static final Exit BUDGET = new Exit(Kind.BUDGET, -1, 0, 0, null);
    /** With {@link Cpu#watchInterruptFlag}: an instruction (POPF, IRET) set RFLAGS.IF; RIP is after it. */
    public static final Exit INTERRUPT_FLAG_SET = new Exit(Kind.REQUESTED, -1, 0, 0, "IF set");
    /** As {@link #INTERRUPT_FLAG_SET}, by STI: events stay blocked for one more instruction. */
    public static final Exit INTERRUPT_FLAG_SET_BY_STI = new Exit(Kind.REQUESTED, -1, 0, 0, "IF set by STI");

    public static Exit fault(int vector, int errorCode, long address) {
        return new Exit(Kind.FAULT, vector, errorCode, address, null);
    }

    public static Exit requested(Object detail) {
        return new Exit(Kind.REQUESTED, -1, 0, 0, detail);
    }

    private static final String[] NAMES = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
            "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};

    /** The exception's mnemonic (#UD, #PF, ...) or "vector N". */
    public static String vectorName(int vector) {
        return vector >= 0 && vector < NAMES.length ? NAMES[vector] : "vector " + vector;
    }

    @Override
    public String toString() {
        if (kind != Kind.FAULT) return kind + (detail == null ? "" : "(" + detail + ")");
        String s = "FAULT " + vectorName(vector) + " (vector " + vector;
        if (org.jvmx.translator.mem.GuestFault.hasErrorCode(vector)) s += ", error code 0x" + Integer.toHexString(errorCode);
        if (vector == org.jvmx.translator.mem.GuestFault.PF) s += ", address 0x" + Long.toHexString(faultAddress);
        return s + ")";
    }
}

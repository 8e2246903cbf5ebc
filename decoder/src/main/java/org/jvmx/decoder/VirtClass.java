package org.jvmx.decoder;

/** The virtualization class of an instruction (SDM Vol. 3C, chapter "VMX Non-Root Operation"). */
public enum VirtClass {
    /** Runs the same in VMX non-root operation and needs no help from the monitor. */
    INNOCUOUS,
    /** #GP(0) outside CPL 0 but never causes a VM exit by itself. */
    PRIVILEGED,
    /** May cause a VM exit: {@link Instruction#exitReasons()} lists the basic exit reasons. */
    SENSITIVE
}

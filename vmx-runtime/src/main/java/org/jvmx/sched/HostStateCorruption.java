package org.jvmx.sched;

/**
 * A VM exit would load host state that is not the current core's (a TSS, GDT or per-core base
 * left from the core the vCPU ran on before): on hardware the host crashes at its next use of
 * TR or GS. Fatal: the scheduler stops every worker and reports it. An {@link Error}, not an
 * exception, so that no handler mistakes it for a guest problem.
 */
public final class HostStateCorruption extends Error {
    public HostStateCorruption(String message) {
        super(message);
    }
}

package org.jvmx.guest.host;

/** One native run: the state to load and the raw x86-64 bytes to run, placed at {@link HostCpu#CODE_BASE}. */
public record HostCase(HostState state, byte[] code) {
    public HostCase {
        if (code.length > HostCpu.MAX_CODE)
            throw new IllegalArgumentException("code of " + code.length + " bytes, over " + HostCpu.MAX_CODE);
    }
}

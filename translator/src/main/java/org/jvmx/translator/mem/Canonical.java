package org.jvmx.translator.mem;

/**
 * Canonical-address check for 4-level paging: bits 63:47 equal (SDM Vol. 1, 3.3.7.1). A
 * non-canonical access is #GP(0), or #SS(0) when it goes through SS (SDM Vol. 3A, 6.15);
 * the caller knows the segment, so it calls {@link #check}.
 */
public final class Canonical {
    private Canonical() {
    }

    public static boolean isCanonical(long linear) {
        return (linear << 16 >> 16) == linear;
    }

    /** Returns {@code linear}, or throws #SS(0) for a stack access and #GP(0) otherwise. */
    public static long check(long linear, boolean stack) {
        if (!isCanonical(linear)) {
            throw stack ? GuestFault.stackFault(0) : GuestFault.generalProtection(0);
        }
        return linear;
    }
}

package org.jvmx.translator.mem;

/**
 * #PF (vector 14): the error code as SDM Vol. 3A, 4.7 defines it, and the faulting linear
 * address that the delivery loads into CR2.
 */
public final class PageFault extends GuestFault {
    /** P: 0 = non-present page, 1 = protection or reserved-bit violation. */
    public static final int P = 1;
    /** W/R: the access was a write. */
    public static final int W = 1 << 1;
    /** U/S: the access was a user-mode access (CPL 3). */
    public static final int U = 1 << 2;
    /** RSVD: a reserved bit was set in a paging-structure entry. */
    public static final int RSVD = 1 << 3;
    /** I/D: instruction fetch, reported only when EFER.NXE = 1 (no SMEP modelled). */
    public static final int I = 1 << 4;

    private final long linearAddress;

    public PageFault(int errorCode, long linearAddress) {
        super(PF, errorCode, String.format("#PF(%#x) at %#x", errorCode, linearAddress));
        this.linearAddress = linearAddress;
    }

    /** The value for CR2. */
    public long linearAddress() {
        return linearAddress;
    }
}

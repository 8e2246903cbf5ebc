package org.jvmx.translator.sem;

/**
 * The SSE4.2 packed string comparison engine shared by PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM
 * (SDM Vol. 1, 12.10 / Vol. 2, 4.1 "Imm8 Control Byte Operation for PCMPESTRI / PCMPESTRM /
 * PCMPISTRI / PCMPISTRM"). Pure functions of the two operands, their valid lengths and imm8.
 *
 * <p>imm8 fields (SDM Vol. 2, 4.1.2-4.1.6): [1:0] element format (unsigned bytes, unsigned
 * words, signed bytes, signed words); [3:2] aggregation (equal any, ranges, equal each, equal
 * ordered); [5:4] polarity (positive, negative, positive, masked negative); [6] least or most
 * significant index / bit or element mask. Bit 7 is ignored.
 */
public final class StringCompare {
    private StringCompare() {
    }

    public static final int EQUAL_ANY = 0, RANGES = 1, EQUAL_EACH = 2, EQUAL_ORDERED = 3;

    /**
     * What an invalid element (past its string's length) forces a comparison to (SDM Vol. 2,
     * Table 4-7), per aggregation: [aggregation][0] when only the first operand's element is
     * invalid, [1] when only the second's, [2] when both are.
     */
    private static final boolean[][] FORCED = {
        {false, false, false}, // equal any
        {false, false, false}, // ranges
        {false, false, true},  // equal each
        {true, false, true},   // equal ordered
    };

    /** Elements per operand: 16 bytes or 8 words. */
    public static int elements(int imm) {
        return (imm & 1) != 0 ? 8 : 16;
    }

    /**
     * The length of an implicit-length (zero-terminated) operand: the index of its first zero
     * element, or the element count when there is none.
     */
    public static int implicitLength(long lo, long hi, int imm) {
        int n = elements(imm), bits = 128 / n;
        long[] e = Ssse3Xmm.lanes(new long[] {lo, hi}, bits, false);
        for (int k = 0; k < n; k++) if (e[k] == 0) return k;
        return n;
    }

    /**
     * The length of an explicit-length operand from EAX/EDX (RAX/RDX with REX.W): its absolute
     * value, saturated to the element count (SDM Vol. 2, 4.1.1).
     */
    public static int explicitLength(long reg, boolean wide, int imm) {
        int n = elements(imm);
        long v = wide ? reg : (long) (int) reg;
        // The absolute value of the most negative length does not fit; it saturates like any large one.
        if (v < 0) v = -v;
        return v < 0 || v > n ? n : (int) v;
    }

    /**
     * IntRes2: the comparison result after aggregation and polarity, one bit per element of the
     * second operand (bit j for element j), for operands {@code a} (the first, XMM register) and
     * {@code b} (the second, XMM or memory) of valid lengths {@code la} and {@code lb}.
     */
    public static int compare(long[] a, long[] b, int la, int lb, int imm) {
        int n = elements(imm), bits = 128 / n;
        boolean signed = (imm & 2) != 0;
        long[] x = Ssse3Xmm.lanes(a, bits, signed), y = Ssse3Xmm.lanes(b, bits, signed);
        int agg = imm >> 2 & 3;
        int res1 = 0;
        switch (agg) {
            case EQUAL_ANY -> {
                // bit j: element j of b equals some element of a.
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++)
                        if (bool(agg, x[i] == y[j], i < la, j < lb)) res1 |= 1 << j;
            }
            case RANGES -> {
                // bit j: a[i] <= b[j] <= a[i + 1] for some even i (a holds lower/upper bound pairs).
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i += 2)
                        if (bool(agg, x[i] <= y[j], i < la, j < lb) && bool(agg, x[i + 1] >= y[j], i + 1 < la, j < lb))
                            res1 |= 1 << j;
            }
            case EQUAL_EACH -> {
                for (int j = 0; j < n; j++) if (bool(agg, x[j] == y[j], j < la, j < lb)) res1 |= 1 << j;
            }
            default -> {
                // bit j: the string a occurs in b starting at element j (a's invalid tail matches anything).
                res1 = (1 << n) - 1;
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n - j; i++)
                        if (!bool(agg, x[i] == y[j + i], i < la, j + i < lb)) {
                            res1 &= ~(1 << j);
                            break;
                        }
            }
        }
        int all = (1 << n) - 1;
        return switch (imm >> 4 & 3) {
            case 1 -> ~res1 & all;
            case 3 -> res1 ^ ((1 << lb) - 1); // negate only where b is valid
            default -> res1;
        };
    }

    /** One element comparison with the invalid-element overrides of Table 4-7. */
    private static boolean bool(int agg, boolean cmp, boolean validA, boolean validB) {
        if (validA && validB) return cmp;
        if (!validA && !validB) return FORCED[agg][2];
        return FORCED[agg][validA ? 1 : 0];
    }

    /**
     * Arithmetic flags of every PCMPxSTRx (SDM Vol. 2, 4.1.6): CF = IntRes2 != 0, ZF = the second
     * operand is shorter than the element count, SF = the first is, OF = IntRes2 bit 0; AF and PF
     * cleared. Returned as RFLAGS bits.
     */
    public static long flags(int res2, int la, int lb, int imm) {
        int n = elements(imm);
        long f = 0;
        if (res2 != 0) f |= 1L;          // CF
        if (lb < n) f |= 1L << 6;        // ZF
        if (la < n) f |= 1L << 7;        // SF
        if ((res2 & 1) != 0) f |= 1L << 11; // OF
        return f;
    }

    /** The PCMPxSTRI index: the least or most (imm8[6]) significant set bit of IntRes2, or the element count when none. */
    public static int index(int res2, int imm) {
        if (res2 == 0) return elements(imm);
        return (imm & 0x40) != 0 ? 31 - Integer.numberOfLeadingZeros(res2) : Integer.numberOfTrailingZeros(res2);
    }

    /**
     * The PCMPxSTRM mask for XMM0: IntRes2 as a bit mask zero-extended to 128 bits, or with imm8[6]
     * each bit expanded to a whole byte or word element.
     */
    public static long[] mask(int res2, int imm) {
        if ((imm & 0x40) == 0) return new long[] {res2 & 0xFFFFL, 0};
        int n = elements(imm), bits = 128 / n;
        long[] e = new long[n];
        for (int k = 0; k < n; k++) e[k] = (res2 >> k & 1) != 0 ? -1 : 0;
        return Ssse3Xmm.pack(e, bits);
    }
}

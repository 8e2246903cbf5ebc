package org.jvmx.vmx.vmcs;

/**
 * Decoding of a 32-bit VMCS field encoding (Intel SDM Vol. 3C, 25.11.2, Table 25-21):
 * <pre>
 *   bit 0      access type: 0 = FULL, 1 = HIGH (HIGH is legal only for 64-bit fields)
 *   bits 9:1   index
 *   bits 11:10 type  (0 control, 1 read-only data, 2 guest state, 3 host state)
 *   bit 12     reserved, must be 0
 *   bits 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width)
 *   bits 31:15 reserved, must be 0
 * </pre>
 * In 64-bit mode VMREAD/VMWRITE take the encoding from a 64-bit register; any bit set above
 * bit 14 makes the encoding name no supported component (VMfailValid 12).
 */
public final class VmcsEncoding {
    /** Bit 12 and bits 63:15 must be zero in every encoding of a supported field. */
    public static final long RESERVED_BITS = ~0x6FFFL;

    private VmcsEncoding() {
    }

    /** True when no reserved bit is set. Says nothing about whether a field exists there. */
    public static boolean hasNoReservedBits(long encoding) {
        return (encoding & RESERVED_BITS) == 0;
    }

    public static boolean isHighAccess(long encoding) {
        return (encoding & 1) != 0;
    }

    public static int index(long encoding) {
        return (int) (encoding >>> 1) & 0x1FF;
    }

    public static VmcsFieldType type(long encoding) {
        return VmcsFieldType.ofCode((int) (encoding >>> 10));
    }

    public static VmcsFieldWidth width(long encoding) {
        return VmcsFieldWidth.ofCode((int) (encoding >>> 13));
    }

    /** Builds a FULL encoding from its parts. */
    public static int of(VmcsFieldWidth width, VmcsFieldType type, int index) {
        if (index < 0 || index > 0x1FF) {
            throw new IllegalArgumentException("VMCS field index out of range: " + index);
        }
        return width.code() << 13 | type.code() << 10 | index << 1;
    }

    public static String hex(long encoding) {
        return String.format("0x%04X", encoding);
    }
}

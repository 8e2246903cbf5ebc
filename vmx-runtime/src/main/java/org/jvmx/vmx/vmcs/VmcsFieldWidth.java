package org.jvmx.vmx.vmcs;

/**
 * The width of a VMCS component, encoded in bits 14:13 of its field encoding
 * (Intel SDM Vol. 3C, 25.11.2, Table 25-21). Natural-width fields are 64 bits wide on a
 * processor that supports Intel 64 architecture, which is the only kind jvmx models.
 */
public enum VmcsFieldWidth {
    BITS_16(0, "16", 0xFFFFL),
    BITS_64(1, "64", -1L),
    BITS_32(2, "32", 0xFFFF_FFFFL),
    NATURAL(3, "natural", -1L);

    private final int code;
    private final String label;
    private final long mask;

    VmcsFieldWidth(int code, String label, long mask) {
        this.code = code;
        this.label = label;
        this.mask = mask;
    }

    /** The value of encoding bits 14:13. */
    public int code() {
        return code;
    }

    /** The word used for this width in the group column of the field table. */
    public String label() {
        return label;
    }

    /** The bits a field of this width stores; VMWRITE drops the rest (SDM 31.3, VMWRITE). */
    public long mask() {
        return mask;
    }

    public static VmcsFieldWidth ofCode(int code) {
        return values()[code & 3];
    }

    static VmcsFieldWidth ofLabel(String label) {
        for (VmcsFieldWidth w : values()) {
            if (w.label.equals(label)) {
                return w;
            }
        }
        return null;
    }
}

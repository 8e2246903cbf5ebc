package org.jvmx.vmx.vmcs;

/**
 * The type of a VMCS component, encoded in bits 11:10 of its field encoding
 * (Intel SDM Vol. 3C, 25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields", Table 25-21).
 */
public enum VmcsFieldType {
    CONTROL(0, "control"),
    READ_ONLY(1, "read-only"),
    GUEST(2, "guest"),
    HOST(3, "host");

    private final int code;
    private final String label;

    VmcsFieldType(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The value of encoding bits 11:10. */
    public int code() {
        return code;
    }

    /** The word used for this type in the group column of the field table. */
    public String label() {
        return label;
    }

    public static VmcsFieldType ofCode(int code) {
        return values()[code & 3];
    }

    static VmcsFieldType ofLabel(String label) {
        for (VmcsFieldType t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        return null;
    }
}

package org.jvmx.vmx.vmcs;

/**
 * One VMCS component of Intel SDM Vol. 3C Appendix B.
 *
 * @param name     the jvmx name of the field (upper snake case)
 * @param encoding the FULL encoding (bit 0 clear); a 64-bit field also answers to
 *                 {@code encoding | 1}, its HIGH half (SDM 25.11.2)
 * @param width    decoded from encoding bits 14:13
 * @param type     decoded from encoding bits 11:10
 * @param slot     the dense index of this field in its table, used as the storage slot of
 *                 {@link Vmcs}
 */
public record VmcsField(String name, int encoding, VmcsFieldWidth width, VmcsFieldType type, int slot) {

    public VmcsField {
        if (VmcsEncoding.isHighAccess(encoding) || !VmcsEncoding.hasNoReservedBits(encoding)) {
            throw new IllegalArgumentException(name + ": not a FULL field encoding: " + VmcsEncoding.hex(encoding));
        }
        if (VmcsEncoding.width(encoding) != width || VmcsEncoding.type(encoding) != type) {
            throw new IllegalArgumentException(name + ": width/type disagree with encoding " + VmcsEncoding.hex(encoding));
        }
    }

    /** The group of Appendix B this field belongs to, as written in the table: {@code <type>-<width>}. */
    public String group() {
        return groupName(type, width);
    }

    /** The encoding of the high 32 bits of a 64-bit field (SDM 25.11.2). */
    public int highEncoding() {
        if (width != VmcsFieldWidth.BITS_64) {
            throw new IllegalStateException(name + " is not a 64-bit field and has no HIGH encoding");
        }
        return encoding | 1;
    }

    public boolean isReadOnly() {
        return type == VmcsFieldType.READ_ONLY;
    }

    static String groupName(VmcsFieldType type, VmcsFieldWidth width) {
        return type.label() + "-" + width.label();
    }

    @Override
    public String toString() {
        return name + "(" + VmcsEncoding.hex(encoding) + ")";
    }
}

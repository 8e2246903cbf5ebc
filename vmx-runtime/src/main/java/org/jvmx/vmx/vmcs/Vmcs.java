package org.jvmx.vmx.vmcs;

import java.util.Arrays;

/**
 * The contents of one VMCS region (Intel SDM Vol. 3C, 25.2 "Format of the VMCS Region"):
 * the revision identifier and shadow-VMCS indicator of its first dword, the VMX-abort
 * indicator of its second, the launch state, and one value per supported field.
 * <p>
 * The data of the fields is kept in a dense {@code long[]} indexed by
 * {@link VmcsField#slot()}; every field is stored in 64 bits, which holds natural-width
 * fields of a processor supporting Intel 64 architecture. The layout of the data in guest
 * memory is implementation-specific on hardware (25.2) and is not modelled.
 * <p>
 * This class does no permission checks: {@link #write(long, long)} writes read-only fields
 * too (the processor itself records exit information that way). VMWRITE's checks are in
 * {@link VmxInstructions}.
 */
public final class Vmcs {
    private final VmcsFieldTable table;
    private final long[] values;
    /** The table's fields by slot, and their width masks: the per-access checks are two array loads. */
    private final VmcsField[] bySlot;
    private final long[] masks;
    private int revisionId;
    private boolean shadow;
    private int abortIndicator;
    private LaunchState launchState = LaunchState.CLEAR;

    /** A zeroed region of the standard field table whose first dword holds {@code revisionId}. */
    public Vmcs(int revisionId) {
        this(VmcsFieldTable.standard(), revisionId);
    }

    public Vmcs(VmcsFieldTable table, int revisionId) {
        this.table = table;
        this.values = new long[table.size()];
        this.bySlot = table.fields().toArray(new VmcsField[0]);
        this.masks = new long[bySlot.length];
        for (int k = 0; k < bySlot.length; k++) masks[k] = bySlot[k].width().mask();
        setRevisionId(revisionId);
    }

    public VmcsFieldTable table() {
        return table;
    }

    /** Bits 30:0 of the first dword of the region (SDM 25.2). */
    public int revisionId() {
        return revisionId;
    }

    /** Sets bits 30:0 of the first dword; bit 31 is the shadow-VMCS indicator. */
    public void setRevisionId(int revisionId) {
        this.revisionId = revisionId & 0x7FFF_FFFF;
    }

    /** Bit 31 of the first dword: this region is a shadow VMCS (SDM 25.2, 25.10). */
    public boolean isShadow() {
        return shadow;
    }

    public void setShadow(boolean shadow) {
        this.shadow = shadow;
    }

    /** The first dword as software sees it in memory. */
    public int header() {
        return revisionId | (shadow ? 0x8000_0000 : 0);
    }

    /** The VMX-abort indicator, written by a VMX abort (SDM 25.2, 28.7). */
    public int abortIndicator() {
        return abortIndicator;
    }

    public void setAbortIndicator(int abortIndicator) {
        this.abortIndicator = abortIndicator;
    }

    public LaunchState launchState() {
        return launchState;
    }

    public void setLaunchState(LaunchState launchState) {
        this.launchState = launchState;
    }

    public boolean supports(long encoding) {
        return table.supports(encoding);
    }

    /**
     * The value VMREAD returns for {@code encoding}: the field zero-extended to 64 bits, or
     * for a HIGH encoding bits 63:32 of the 64-bit field in bits 31:0 (SDM 25.11.2).
     *
     * @throws IllegalArgumentException if the encoding names no supported component
     */
    public long read(long encoding) {
        VmcsField f = field(encoding);
        long v = values[f.slot()];
        return VmcsEncoding.isHighAccess(encoding) ? v >>> 32 : v;
    }

    /**
     * Stores what VMWRITE stores: the value truncated to the field's width; for a HIGH
     * encoding, bits 31:0 of {@code value} replace bits 63:32 of the field and its low half
     * is kept (SDM 25.11.2, 31.3 VMWRITE).
     *
     * @throws IllegalArgumentException if the encoding names no supported component
     */
    public void write(long encoding, long value) {
        VmcsField f = field(encoding);
        int s = f.slot();
        if (VmcsEncoding.isHighAccess(encoding)) {
            values[s] = (values[s] & 0xFFFF_FFFFL) | (value << 32);
        } else {
            values[s] = value & f.width().mask();
        }
    }

    public long read(VmcsField field) {
        return values[check(field).slot()];
    }

    public void write(VmcsField field, long value) {
        int slot = check(field).slot();
        values[slot] = value & masks[slot];
    }

    /** Zeroes every field, as a fresh region (does not touch header, abort indicator or launch state). */
    public void clearFields() {
        Arrays.fill(values, 0);
    }

    private VmcsField field(long encoding) {
        VmcsField f = table.byEncoding(encoding);
        if (f == null) {
            throw new IllegalArgumentException("unsupported VMCS component " + VmcsEncoding.hex(encoding));
        }
        return f;
    }

    private VmcsField check(VmcsField field) {
        int slot = field.slot();
        if (slot >= bySlot.length || bySlot[slot] != field) {
            throw new IllegalArgumentException(field + " is not a field of this VMCS's table");
        }
        return field;
    }
}

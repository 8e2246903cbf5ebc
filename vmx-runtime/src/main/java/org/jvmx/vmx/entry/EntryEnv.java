package org.jvmx.vmx.entry;

import static org.jvmx.vmx.vmcs.Controls.*;
import static org.jvmx.vmx.vmcs.VmcsFields.*;

import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsField;

/** What an {@link EntryRule} reads: the VMCS, the capability MSRs and MAXPHYADDR. */
public record EntryEnv(Vmcs vmcs, VmxCapabilityMsrs caps, int physicalAddressWidth) {
    long r(VmcsField f) {
        return vmcs.read(f);
    }

    boolean pin(int bit) {
        return (r(PIN_BASED_VM_EXEC_CONTROL) & bit) != 0;
    }

    boolean proc(int bit) {
        return (r(CPU_BASED_VM_EXEC_CONTROL) & bit) != 0;
    }

    /** Secondary controls count as 0 when the primary control activating them is 0 (SDM 25.6.2). */
    long proc2() {
        return proc(PROC_SECONDARY_CONTROLS) ? r(SECONDARY_VM_EXEC_CONTROL) : 0;
    }

    boolean exit(int bit) {
        return (r(VM_EXIT_CONTROLS) & bit) != 0;
    }

    boolean entry(int bit) {
        return (r(VM_ENTRY_CONTROLS) & bit) != 0;
    }

    boolean ia32eGuest() {
        return entry(ENTRY_IA32E_MODE_GUEST);
    }

    long intrInfo() {
        return r(VM_ENTRY_INTERRUPTION_INFO);
    }

    boolean injecting() {
        return (intrInfo() & INTR_INFO_VALID) != 0;
    }

    int injType() {
        return (int) (intrInfo() >>> 8) & 7;
    }

    int injVector() {
        return (int) intrInfo() & 0xFF;
    }

    boolean injecting(int type) {
        return injecting() && injType() == type;
    }

    /** Within the physical-address width (SDM 27.2.1: "must not set any bits beyond"). */
    boolean inWidth(long address) {
        return (address >>> physicalAddressWidth) == 0;
    }

    /** 48-bit linear addresses: bits 63:47 all equal (SDM 27.2.3, 27.3.1.2). */
    static boolean canonical(long a) {
        return (a << 16) >> 16 == a;
    }

    static int rpl(long selector) {
        return (int) selector & 3;
    }

    static boolean ti(long selector) {
        return (selector & 4) != 0;
    }

    static boolean unusable(long ar) {
        return (ar & 0x10000) != 0;
    }

    static int type(long ar) {
        return (int) ar & 0xF;
    }

    static boolean s(long ar) {
        return (ar & 0x10) != 0;
    }

    static int dpl(long ar) {
        return (int) (ar >>> 5) & 3;
    }

    static boolean p(long ar) {
        return (ar & 0x80) != 0;
    }

    static boolean l(long ar) {
        return (ar & 0x2000) != 0;
    }

    static boolean db(long ar) {
        return (ar & 0x4000) != 0;
    }

    static boolean g(long ar) {
        return (ar & 0x8000) != 0;
    }

    /** Every PAT entry is UC, WC, WT, WP, WB or UC- (0, 1, 4, 5, 6, 7) (SDM 27.2.2, 27.3.1.1). */
    static boolean validPat(long pat) {
        for (int i = 0; i < 8; i++) {
            int t = (int) (pat >>> (8 * i)) & 0xFF;
            if (t == 2 || t == 3 || t > 7) {
                return false;
            }
        }
        return true;
    }

    /** EFER bits that may be set: SCE (0), LME (8), LMA (10), NXE (11). */
    static final long EFER_VALID = 1L | 1L << 8 | 1L << 10 | 1L << 11;
    static final long EFER_LME = 1L << 8, EFER_LMA = 1L << 10;
    static final long CR0_PE = 1, CR0_PG = 1L << 31, CR4_PAE = 1L << 5, CR4_PCIDE = 1L << 17;

    static boolean fixed(long value, long fixed0, long fixed1) {
        return (value & fixed0) == fixed0 && (value & ~fixed1) == 0;
    }

    /** An MSR list of {@code count} 16-byte entries at {@code addr} (SDM 27.2.1.2, 27.2.1.3). */
    boolean msrList(long count, long addr) {
        if (count == 0) {
            return true;
        }
        return (addr & 0xF) == 0 && inWidth(addr) && inWidth(addr + count * 16 - 1);
    }
}

package org.jvmx.monitor.loader;

import static org.jvmx.vmx.vmcs.VmcsFields.*;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.entry.VmxCapabilityMsrs;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.VmcsField;

/**
 * The CPU state a loaded kernel is entered in: the general-purpose registers (not in the VMCS)
 * and the guest-state VMCS fields (SDM Vol. 3C, 25.4) with their values, in the order a monitor
 * VMWRITEs them. The values are architectural, as the kernel must see them; {@link #writeTo}
 * adds what VMX operation requires on top.
 *
 * @param longMode  the kernel runs in IA-32e mode: the VM-entry control "IA-32e mode guest" must be 1
 * @param registers general-purpose register values (registers not listed are 0)
 * @param fields    guest-state field values
 */
public record BootState(boolean longMode, Map<Reg, Long> registers, Map<VmcsField, Long> fields) {
    /** VMCS access rights (Table 24-2): flat 32-bit code: type 11, S, P, D/B, G. */
    public static final long AR_CODE32 = 0xC09B;
    /** Flat 64-bit code: type 11, S, P, L, G. */
    public static final long AR_CODE64 = 0xA09B;
    /** Flat data: type 3, S, P, D/B, G. */
    public static final long AR_DATA = 0xC093;
    /** Busy TSS (type 11, P): 32-bit TSS outside IA-32e mode, 64-bit TSS inside. */
    public static final long AR_TSS_BUSY = 0x8B;
    /** Bit 16: the segment register is unusable (the null LDTR). */
    public static final long AR_UNUSABLE = 0x10000;

    public static final long CR0_PE = 1, CR0_MP = 1 << 1, CR0_ET = 1 << 4, CR0_NE = 1 << 5, CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1 << 5;
    public static final long EFER_LME = 1 << 8, EFER_LMA = 1 << 10;
    /** RFLAGS with only the reserved bit 1 set: IF clear, so no interrupt arrives before the kernel asks. */
    public static final long RFLAGS_RESERVED = 0x2;
    /** Multiboot 0.6.96, 3.2 "Machine state": EAX holds this magic on entry. */
    public static final long MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002L;

    public BootState {
        Map<Reg, Long> regs = new EnumMap<>(Reg.class);
        regs.putAll(registers);
        registers = Collections.unmodifiableMap(regs);
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The entry point (GUEST_RIP). */
    public long rip() {
        return fields.get(GUEST_RIP);
    }

    /** The initial stack pointer (GUEST_RSP). */
    public long rsp() {
        return fields.get(GUEST_RSP);
    }

    /** A general-purpose register's initial value (0 when not listed). */
    public long register(Reg r) {
        return registers.getOrDefault(r, 0L);
    }

    /** A guest-state field's value; throws when the state does not set it. */
    public long field(VmcsField f) {
        Long v = fields.get(f);
        if (v == null) throw new IllegalArgumentException(f.name() + " is not part of this boot state");
        return v;
    }

    /**
     * The Multiboot machine state (0.6.96, 3.2): EAX = 0x2BADB002, EBX = the information
     * structure, 32-bit protected mode with paging off, CS a flat 4 GiB execute/read segment and
     * DS/ES/FS/GS/SS flat 4 GiB read/write segments, EFLAGS with VM and IF clear. The specification
     * leaves ESP, GDTR and IDTR undefined; ESP is 0, GDTR points at the {@link BootGdt} written at
     * {@code gdtBase}, IDTR is empty (no interrupt can be delivered until the kernel loads its own).
     * A20 is on: jvmx never masks address bit 20.
     */
    public static BootState multiboot(long entry, long infoAddress, long gdtBase) {
        Map<Reg, Long> regs = new EnumMap<>(Reg.class);
        regs.put(Reg.RAX, MULTIBOOT_BOOTLOADER_MAGIC);
        regs.put(Reg.RBX, infoAddress);
        return new BootState(false, regs, fields(false, entry, 0, CR0_PE | CR0_ET, 0, 0, 0, gdtBase));
    }

    /**
     * A 64-bit kernel entered directly in IA-32e mode (SDM Vol. 3A, 10.8.5): CR0 PE|PG (with ET and
     * NE), CR4.PAE, EFER.LME|LMA, CR3 = identity-mapping page tables, CS a 64-bit code segment
     * (L = 1), flat data segments, RSP at the top of a free stack, IF clear.
     */
    public static BootState longMode(long entry, long stackTop, long cr3, long gdtBase) {
        return new BootState(true, Map.of(), fields(true, entry, stackTop, CR0_PE | CR0_ET | CR0_NE | CR0_PG, cr3, CR4_PAE,
                EFER_LME | EFER_LMA, gdtBase));
    }

    private static Map<VmcsField, Long> fields(boolean longMode, long rip, long rsp, long cr0, long cr3, long cr4, long efer,
                                               long gdtBase) {
        Map<VmcsField, Long> f = new LinkedHashMap<>();
        f.put(GUEST_CR0, cr0);
        f.put(GUEST_CR3, cr3);
        f.put(GUEST_CR4, cr4);
        f.put(GUEST_IA32_EFER, efer);
        f.put(GUEST_DR7, 0x400L);
        f.put(GUEST_RFLAGS, RFLAGS_RESERVED);
        f.put(GUEST_RIP, rip);
        f.put(GUEST_RSP, rsp);
        segment(f, GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_ACCESS_RIGHTS, BootGdt.CODE_SELECTOR,
                longMode ? AR_CODE64 : AR_CODE32);
        VmcsField[][] data = {
                {GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_ACCESS_RIGHTS},
                {GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_ACCESS_RIGHTS},
                {GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_ACCESS_RIGHTS},
                {GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_ACCESS_RIGHTS},
                {GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_ACCESS_RIGHTS}};
        for (VmcsField[] s : data) segment(f, s[0], s[1], s[2], s[3], BootGdt.DATA_SELECTOR, AR_DATA);
        f.put(GUEST_TR_SELECTOR, (long) BootGdt.TSS_SELECTOR);
        f.put(GUEST_TR_BASE, gdtBase + BootGdt.TSS_OFFSET);
        f.put(GUEST_TR_LIMIT, (long) BootGdt.TSS_SIZE - 1);
        f.put(GUEST_TR_ACCESS_RIGHTS, AR_TSS_BUSY);
        f.put(GUEST_LDTR_SELECTOR, 0L);
        f.put(GUEST_LDTR_BASE, 0L);
        f.put(GUEST_LDTR_LIMIT, 0L);
        f.put(GUEST_LDTR_ACCESS_RIGHTS, AR_UNUSABLE);
        f.put(GUEST_GDTR_BASE, gdtBase);
        f.put(GUEST_GDTR_LIMIT, (long) BootGdt.limit(longMode));
        f.put(GUEST_IDTR_BASE, 0L);
        f.put(GUEST_IDTR_LIMIT, 0L);
        return f;
    }

    private static void segment(Map<VmcsField, Long> f, VmcsField sel, VmcsField base, VmcsField limit, VmcsField ar,
                                int selector, long rights) {
        f.put(sel, (long) selector);
        f.put(base, 0L);
        f.put(limit, 0xFFFF_FFFFL);
        f.put(ar, rights);
    }

    /**
     * Puts this state into {@code cpu}: sets the registers, VMWRITEs every field and sets or clears
     * the VM-entry control "IA-32e mode guest". In VMX operation CR4.VMXE must be 1 (IA32_VMX_CR4_FIXED0,
     * SDM Vol. 3C, A.8), so GUEST_CR4 gets it and the CR4 read shadow keeps the architectural value
     * for the bits the guest/host mask owns. Note that without "unrestricted guest" CR0.PG is
     * fixed to 1 as well (A.7): a paging-off state ({@link #multiboot}) then fails the VM-entry
     * checks, and the monitor must run it with unrestricted guest or emulate it.
     */
    public void writeTo(Vcpu cpu) {
        for (Map.Entry<Reg, Long> r : registers.entrySet()) cpu.setReg(r.getKey(), r.getValue());
        for (Map.Entry<VmcsField, Long> e : fields.entrySet()) {
            long v = e.getValue();
            if (e.getKey().equals(GUEST_CR4)) {
                cpu.vmwrite(CR4_READ_SHADOW, v);
                v |= VmxCapabilityMsrs.CR4_FIXED0;
            }
            cpu.vmwrite(e.getKey(), v);
        }
        long entry = cpu.vmread(VM_ENTRY_CONTROLS);
        cpu.vmwrite(VM_ENTRY_CONTROLS, longMode ? entry | Controls.ENTRY_IA32E_MODE_GUEST
                : entry & ~Controls.ENTRY_IA32E_MODE_GUEST);
    }
}

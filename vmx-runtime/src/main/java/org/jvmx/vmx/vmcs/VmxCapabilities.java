package org.jvmx.vmx.vmcs;

/**
 * What the modelled processor advertises to the VMX instructions of this package.
 *
 * @param vmcsRevisionId           IA32_VMX_BASIC bits 30:0, the revision identifier VMXON and
 *                                 VMPTRLD require in the first dword of a region (SDM A.1)
 * @param physicalAddressWidth     MAXPHYADDR; VMXON/VMCLEAR/VMPTRLD operands may not set bits
 *                                 at or above it (SDM 31.3)
 * @param vmwriteAnyField          IA32_VMX_MISC bit 29: VMWRITE may write any supported field,
 *                                 including the VM-exit information fields (SDM A.6)
 */
public record VmxCapabilities(int vmcsRevisionId, int physicalAddressWidth, boolean vmwriteAnyField) {
    public VmxCapabilities {
        if (vmcsRevisionId <= 0) {
            throw new IllegalArgumentException("VMCS revision identifier must be in 1..0x7FFFFFFF: " + vmcsRevisionId);
        }
        if (physicalAddressWidth < 32 || physicalAddressWidth > 52) {
            throw new IllegalArgumentException("physical-address width must be in 32..52: " + physicalAddressWidth);
        }
    }

    /** True if {@code address} is 4-KiB aligned and sets no bit beyond the physical-address width. */
    public boolean isValidRegionAddress(long address) {
        return (address & 0xFFF) == 0 && (address >>> physicalAddressWidth) == 0;
    }
}

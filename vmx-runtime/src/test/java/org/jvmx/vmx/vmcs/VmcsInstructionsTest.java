package org.jvmx.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.*;
import static org.jvmx.vmx.vmcs.VmInstructionError.*;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VMX instruction outcomes of SDM Vol. 3C 31.3, and the RFLAGS conventions of 31.2. */
class VmcsInstructionsTest {
    private static final int REV = 0x4;
    private static final long VMXON = 0x1000;
    private static final long A = 0x2000;
    private static final long B = 0x3000;

    /**
     * The life cycle alone: entries always succeed here (the VM-entry checks are EntryChecksTest's),
     * so a VMCS with no valid guest state can still be launched and resumed.
     */
    static final VmEntry ENTER = (context, vmcs, resume) -> VmxResult.succeed();

    private final VmxInstructions vmx = new VmxInstructions(new VmxCapabilities(REV, 39, false), ENTER);
    private VmxContext ctx;

    @BeforeEach
    void setUp() {
        ctx = new VmxContext();
        ctx.allocate(VMXON, REV);
        ctx.allocate(A, REV);
        ctx.allocate(B, REV);
    }

    private void on() {
        assertSucceed(vmx.vmxon(ctx, VMXON));
    }

    private static void assertSucceed(VmxResult r) {
        assertEquals(VmxResult.Kind.SUCCEED, r.kind(), r.toString());
    }

    private static void assertFailInvalid(VmxResult r) {
        assertEquals(VmxResult.Kind.FAIL_INVALID, r.kind(), r.toString());
    }

    private void assertFailValid(VmInstructionError e, VmxResult r) {
        assertFailValid(ctx, e, r);
    }

    private static void assertFailValid(VmxContext c, VmInstructionError e, VmxResult r) {
        assertEquals(VmxResult.Kind.FAIL_VALID, r.kind(), r.toString());
        assertEquals(e, r.error());
        assertEquals(e.number(), c.currentVmcs().read(VmcsFields.VM_INSTRUCTION_ERROR));
    }

    private static void assertUd(VmxResult r) {
        assertEquals(VmxResult.Kind.FAULT, r.kind(), r.toString());
        assertEquals(VmxResult.UD, r.vector());
    }

    @Test
    void outsideVmxOperationEverythingButVmxonRaisesUd() {
        assertUd(vmx.vmxoff(ctx));
        assertUd(vmx.vmclear(ctx, A));
        assertUd(vmx.vmptrld(ctx, A));
        assertUd(vmx.vmptrst(ctx));
        assertUd(vmx.vmread(ctx, 0x681E));
        assertUd(vmx.vmwrite(ctx, 0x681E, 0));
        assertUd(vmx.vmlaunch(ctx));
        assertUd(vmx.vmresume(ctx));
    }

    @Test
    void vmxonChecks() {
        assertFailInvalid(vmx.vmxon(ctx, VMXON + 8)); // not 4-KiB aligned
        assertFailInvalid(vmx.vmxon(ctx, 1L << 39)); // beyond the physical-address width
        assertFailInvalid(vmx.vmxon(ctx, 0x9000)); // zeroed memory: revision 0
        ctx.region(VMXON).setShadow(true);
        assertFailInvalid(vmx.vmxon(ctx, VMXON)); // bit 31 of the VMXON region's first dword
        ctx.region(VMXON).setShadow(false);
        assertFalse(ctx.inVmxOperation());
        on();
        assertTrue(ctx.inVmxOperation());
        assertEquals(VMXON, ctx.vmxonPointer());
        assertEquals(VmxContext.INVALID_POINTER, ctx.currentVmcsPointer());
        assertFailInvalid(vmx.vmxon(ctx, VMXON)); // in root, no current VMCS
        assertSucceed(vmx.vmptrld(ctx, A));
        assertFailValid(VMXON_IN_VMX_ROOT, vmx.vmxon(ctx, VMXON));
        assertSucceed(vmx.vmxoff(ctx));
        assertFalse(ctx.inVmxOperation());
    }

    @Test
    void withoutCurrentVmcsFailuresAreInvalid() {
        on();
        assertFailInvalid(vmx.vmclear(ctx, A + 1));
        assertFailInvalid(vmx.vmclear(ctx, VMXON));
        assertFailInvalid(vmx.vmptrld(ctx, 1L << 40));
        assertFailInvalid(vmx.vmptrld(ctx, VMXON));
        assertFailInvalid(vmx.vmptrld(ctx, 0x9000));
        assertFailInvalid(vmx.vmread(ctx, 0x681E));
        assertFailInvalid(vmx.vmwrite(ctx, 0x681E, 1));
        assertFailInvalid(vmx.vmlaunch(ctx));
        assertFailInvalid(vmx.vmresume(ctx));
        assertEquals(VmxContext.INVALID_POINTER, vmx.vmptrst(ctx).value());
    }

    @Test
    void eachErrorNumberWithCurrentVmcs() {
        on();
        assertSucceed(vmx.vmptrld(ctx, A));
        assertFailValid(VMCLEAR_INVALID_ADDRESS, vmx.vmclear(ctx, A + 0x10));
        assertFailValid(VMCLEAR_INVALID_ADDRESS, vmx.vmclear(ctx, 1L << 39));
        assertFailValid(VMCLEAR_VMXON_POINTER, vmx.vmclear(ctx, VMXON));
        assertFailValid(VMRESUME_NON_LAUNCHED_VMCS, vmx.vmresume(ctx));
        assertSucceed(vmx.vmlaunch(ctx));
        assertFailValid(VMLAUNCH_NON_CLEAR_VMCS, vmx.vmlaunch(ctx));
        assertFailValid(VMPTRLD_INVALID_ADDRESS, vmx.vmptrld(ctx, B | 0x800));
        assertFailValid(VMPTRLD_INVALID_ADDRESS, vmx.vmptrld(ctx, 1L << 45));
        assertFailValid(VMPTRLD_VMXON_POINTER, vmx.vmptrld(ctx, VMXON));
        ctx.region(B).setRevisionId(REV + 1);
        assertFailValid(VMPTRLD_INCORRECT_REVISION, vmx.vmptrld(ctx, B));
        ctx.region(B).setRevisionId(REV);
        ctx.region(B).setShadow(true);
        assertFailValid(VMPTRLD_INCORRECT_REVISION, vmx.vmptrld(ctx, B));
        assertFailValid(VMPTRLD_INCORRECT_REVISION, vmx.vmptrld(ctx, 0x9000)); // zeroed memory
        assertFailValid(UNSUPPORTED_COMPONENT, vmx.vmread(ctx, 0x681F));
        assertFailValid(UNSUPPORTED_COMPONENT, vmx.vmwrite(ctx, 0x681E | 0x1000, 0));
        assertFailValid(UNSUPPORTED_COMPONENT, vmx.vmwrite(ctx, 0x681E | 0x10000, 0));
        assertFailValid(UNSUPPORTED_COMPONENT, vmx.vmread(ctx, 0x6830)); // unknown index
        assertFailValid(VMWRITE_READ_ONLY, vmx.vmwrite(ctx, VmcsFields.VM_EXIT_REASON.encoding(), 1));
        assertEquals(A, ctx.currentVmcsPointer()); // no failure changed the current VMCS
    }

    @Test
    void everyReadOnlyFieldRefusesVmwriteUnlessMiscBit29() {
        on();
        assertSucceed(vmx.vmptrld(ctx, A));
        VmxInstructions any = new VmxInstructions(new VmxCapabilities(REV, 39, true), ENTER);
        for (VmcsField f : VmcsFieldTable.standard().fields()) {
            if (!f.isReadOnly()) {
                continue;
            }
            assertFailValid(VMWRITE_READ_ONLY, vmx.vmwrite(ctx, f.encoding(), 5));
            if (f.width() == VmcsFieldWidth.BITS_64) {
                assertFailValid(VMWRITE_READ_ONLY, vmx.vmwrite(ctx, f.highEncoding(), 5));
            }
            assertSucceed(any.vmwrite(ctx, f.encoding(), 7));
            assertEquals(7, any.vmread(ctx, f.encoding()).value(), f.name());
        }
    }

    @Test
    void vmreadVmwriteRoundTripEveryField() {
        on();
        assertSucceed(vmx.vmptrld(ctx, A));
        for (VmcsField f : VmcsFieldTable.standard().fields()) {
            if (f.isReadOnly()) {
                continue;
            }
            assertSucceed(vmx.vmwrite(ctx, f.encoding(), -1L));
            assertEquals(f.width().mask(), vmx.vmread(ctx, f.encoding()).value(), f.name());
            if (f.width() == VmcsFieldWidth.BITS_64) {
                assertSucceed(vmx.vmwrite(ctx, f.highEncoding(), 0));
                assertEquals(0xFFFF_FFFFL, vmx.vmread(ctx, f.encoding()).value(), f.name());
                assertEquals(0L, vmx.vmread(ctx, f.highEncoding()).value(), f.name());
            }
        }
    }

    @Test
    void twoVmcssStayIntactAcrossVmclearAndVmptrld() {
        on();
        assertSucceed(vmx.vmclear(ctx, A));
        assertSucceed(vmx.vmclear(ctx, B));
        assertSucceed(vmx.vmptrld(ctx, A));
        assertSucceed(vmx.vmwrite(ctx, VmcsFields.GUEST_RIP.encoding(), 0xAAAA));
        assertSucceed(vmx.vmwrite(ctx, VmcsFields.HOST_TR_BASE.encoding(), 0xFFFF_FFFF_8000_0000L));
        assertSucceed(vmx.vmlaunch(ctx));
        assertEquals(LaunchState.LAUNCHED, ctx.region(A).launchState());

        assertSucceed(vmx.vmptrld(ctx, B));
        assertEquals(B, vmx.vmptrst(ctx).value());
        assertSucceed(vmx.vmwrite(ctx, VmcsFields.GUEST_RIP.encoding(), 0xBBBB));
        assertEquals(LaunchState.CLEAR, ctx.region(B).launchState());
        assertFailValid(VMRESUME_NON_LAUNCHED_VMCS, vmx.vmresume(ctx));

        assertSucceed(vmx.vmptrld(ctx, A));
        assertEquals(0xAAAA, vmx.vmread(ctx, VmcsFields.GUEST_RIP.encoding()).value());
        assertEquals(0xFFFF_FFFF_8000_0000L, vmx.vmread(ctx, VmcsFields.HOST_TR_BASE.encoding()).value());
        assertSucceed(vmx.vmresume(ctx));

        // migrate A: VMCLEAR leaves no current VMCS and a CLEAR region with its data intact
        assertSucceed(vmx.vmclear(ctx, A));
        assertEquals(VmxContext.INVALID_POINTER, ctx.currentVmcsPointer());
        assertEquals(LaunchState.CLEAR, ctx.region(A).launchState());
        VmxContext other = new VmxContext();
        other.allocate(0x5000, REV);
        other.place(A, ctx.region(A));
        assertSucceed(vmx.vmxon(other, 0x5000));
        assertSucceed(vmx.vmptrld(other, A));
        assertEquals(0xAAAA, vmx.vmread(other, VmcsFields.GUEST_RIP.encoding()).value());
        assertFailValid(other, VMRESUME_NON_LAUNCHED_VMCS, vmx.vmresume(other));
        assertSucceed(vmx.vmlaunch(other));

        assertSucceed(vmx.vmptrld(ctx, B));
        assertEquals(0xBBBB, vmx.vmread(ctx, VmcsFields.GUEST_RIP.encoding()).value());
        // VMCLEAR of a VMCS that is not current leaves the current one alone
        assertSucceed(vmx.vmclear(ctx, A));
        assertEquals(B, ctx.currentVmcsPointer());
    }

    @Test
    void entryHookFailureIsRecordedAndKeepsLaunchStateClear() {
        VmxInstructions failing = new VmxInstructions(new VmxCapabilities(REV, 39, false),
                (c, v, resume) -> VmxResult.failValid(ENTRY_INVALID_CONTROL_FIELDS));
        on();
        assertSucceed(failing.vmptrld(ctx, A));
        assertFailValid(ENTRY_INVALID_CONTROL_FIELDS, failing.vmlaunch(ctx));
        assertEquals(LaunchState.CLEAR, ctx.region(A).launchState());
    }

    @Test
    void rflagsConventions() {
        long all = VmxResult.STATUS_FLAGS | 0x202;
        VmxResult s = VmxResult.succeed();
        assertFalse(s.cf());
        assertFalse(s.zf());
        assertEquals(0x202, s.applyToRflags(all));
        VmxResult fi = VmxResult.failInvalid();
        assertTrue(fi.cf());
        assertFalse(fi.zf());
        assertEquals(0x203, fi.applyToRflags(all));
        VmxResult fv = VmxResult.failValid(VMWRITE_READ_ONLY);
        assertFalse(fv.cf());
        assertTrue(fv.zf());
        assertEquals(0x242, fv.applyToRflags(all));
        assertEquals(all, VmxResult.fault(VmxResult.UD).applyToRflags(all));
        assertThrows(IllegalArgumentException.class,
                () -> new VmxResult(VmxResult.Kind.FAIL_VALID, null, 0, -1));
    }

    @Test
    void capabilitiesValidateAddresses() {
        VmxCapabilities c = new VmxCapabilities(1, 39, false);
        assertTrue(c.isValidRegionAddress(0x7F_FFFF_F000L));
        assertFalse(c.isValidRegionAddress(0x80_0000_0000L));
        assertFalse(c.isValidRegionAddress(0x1001));
        assertThrows(IllegalArgumentException.class, () -> new VmxCapabilities(0, 39, false));
        assertThrows(IllegalArgumentException.class, () -> new VmxCapabilities(1, 64, false));
    }
}

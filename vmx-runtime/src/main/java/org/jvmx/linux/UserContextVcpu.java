package org.jvmx.linux;

import org.jvmx.linux.signal.FxImage;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * {@link UserContext} over a {@link Vcpu} after a VM exit, in one of two situations:
 * <ul>
 * <li>{@link Mode#TRAP}: the guest took an exception in user mode (the exception bitmap made it a
 * VM exit), so the vCPU's registers, GUEST_RIP and GUEST_RFLAGS are the user's own.
 * <li>{@link Mode#SYSCALL}: the guest is in the kernel stub at VMCALL after SYSCALL, which saved
 * the user RIP in RCX and RFLAGS in R11 (SDM Vol. 2B, SYSCALL), and the stub's SYSRET will load
 * them back. RIP and RFLAGS read and write RCX and R11, and the stub is assumed to keep the user
 * RSP. The user's own RCX/R11 are gone, as after any SYSCALL; but rt_sigreturn to code that a
 * fault interrupted must give them back: writes of RCX/R11 are kept aside, and when they differ
 * from RIP/RFLAGS {@link #needsExactReturn()} says so; the run loop then calls
 * {@link #returnToUser()} (which does the stub's SYSRET itself, as Linux returns with IRET when
 * SYSRET cannot restore the state) instead of {@code skipInstruction()}.
 * </ul>
 * The FPU image comes from and goes to the translator's CPU state directly.
 */
public final class UserContextVcpu implements UserContext {
    public enum Mode { TRAP, SYSCALL }

    /** RFLAGS bits user code may have (the status flags, TF, DF, OF, AC, ID); IF and bit 1 are always set. */
    static final long USER_FLAGS = 0x0000_0000_0025_4FD5L, FIXED_ON = 0x202;

    /** Access rights (VMCS format, SDM Vol. 3C 25.4.1) of the flat segments SYSRET loads: 64-bit code and data, DPL 3. */
    static final long USER_CODE_AR = 0xA0FB, USER_DATA_AR = 0xC0F3;

    private final Vcpu vcpu;
    private final Mode mode;
    private long userRcx, userR11;
    private boolean userRcxSet, userR11Set;

    public UserContextVcpu(Vcpu vcpu, Mode mode) {
        this.vcpu = vcpu;
        this.mode = mode;
    }

    @Override
    public long reg(Reg r) {
        return vcpu.reg(r);
    }

    @Override
    public void setReg(Reg r, long value) {
        // In a system call RCX and R11 carry the return RIP/RFLAGS; writing them would undo setRip/setRflags.
        if (mode == Mode.SYSCALL && r == Reg.RCX) {
            userRcx = value;
            userRcxSet = true;
        } else if (mode == Mode.SYSCALL && r == Reg.R11) {
            userR11 = value;
            userR11Set = true;
        } else {
            vcpu.setReg(r, value);
        }
    }

    @Override
    public long rip() {
        return mode == Mode.SYSCALL ? vcpu.reg(Reg.RCX) : vcpu.vmread(VmcsFields.GUEST_RIP);
    }

    @Override
    public void setRip(long rip) {
        if (mode == Mode.SYSCALL) vcpu.setReg(Reg.RCX, rip);
        else vcpu.vmwrite(VmcsFields.GUEST_RIP, rip);
    }

    @Override
    public long rflags() {
        return mode == Mode.SYSCALL ? vcpu.reg(Reg.R11) : vcpu.vmread(VmcsFields.GUEST_RFLAGS);
    }

    @Override
    public void setRflags(long rflags) {
        long v = (rflags & USER_FLAGS) | FIXED_ON;
        if (mode == Mode.SYSCALL) vcpu.setReg(Reg.R11, v);
        else vcpu.vmwrite(VmcsFields.GUEST_RFLAGS, v);
    }

    @Override
    public byte[] fxsave() {
        return FxImage.save(vcpu.cpu().state);
    }

    @Override
    public void fxrstor(byte[] image) {
        FxImage.load(vcpu.cpu().state, image);
    }

    /** In a system call: whether RCX/R11 were set to values SYSRET cannot give back (they are not RIP/RFLAGS). */
    public boolean needsExactReturn() {
        return mode == Mode.SYSCALL && (userRcxSet && userRcx != rip() || userR11Set && userR11 != rflags());
    }

    /**
     * Returns to user mode from the stub's VMCALL without executing its SYSRET: what SYSRET
     * would load (SDM Vol. 2B, SYSRET: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, RPL 3, flat,
     * RIP from RCX, RFLAGS from R11), then the user's own RCX and R11. The run loop must not skip
     * the VMCALL afterwards.
     */
    public void returnToUser() {
        if (mode != Mode.SYSCALL) throw new IllegalStateException("only from a system call");
        long rip = rip(), flags = rflags();
        int base = (int) (vcpu.cpu().state.star >>> 48) & 0xFFFC;
        vcpu.vmwrite(VmcsFields.GUEST_CS_SELECTOR, (base + 16) | 3);
        vcpu.vmwrite(VmcsFields.GUEST_CS_BASE, 0);
        vcpu.vmwrite(VmcsFields.GUEST_CS_LIMIT, 0xFFFF_FFFFL);
        vcpu.vmwrite(VmcsFields.GUEST_CS_ACCESS_RIGHTS, USER_CODE_AR);
        vcpu.vmwrite(VmcsFields.GUEST_SS_SELECTOR, (base + 8) | 3);
        vcpu.vmwrite(VmcsFields.GUEST_SS_BASE, 0);
        vcpu.vmwrite(VmcsFields.GUEST_SS_LIMIT, 0xFFFF_FFFFL);
        vcpu.vmwrite(VmcsFields.GUEST_SS_ACCESS_RIGHTS, USER_DATA_AR);
        vcpu.vmwrite(VmcsFields.GUEST_RIP, rip);
        vcpu.vmwrite(VmcsFields.GUEST_RFLAGS, flags);
        vcpu.setReg(Reg.RCX, userRcxSet ? userRcx : rip);
        vcpu.setReg(Reg.R11, userR11Set ? userR11 : flags);
    }
}

package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * Near control transfers and the stack (SDM Vol. 1, 6.2-6.4; Vol. 2 JMP, Jcc,
 * CALL, RET, LOOP, PUSH, POP, PUSHF, POPF, ENTER, LEAVE). Near branches are 64-bit whatever
 * the operand-size prefix (Intel ignores 66 on them in 64-bit mode); PUSH/POP are 64-bit, or
 * 16-bit with 66. A branch writes its target to RIP; a target that is not canonical raises
 * #GP(0) on the branch itself, with nothing changed (SDM Vol. 3A, 6.15, interrupt 13).
 * Outside 64-bit mode a target beyond CS.limit is #GP(0) on the branch, and the stack goes
 * through {@link Stack} (SS.B-sized stack pointer, SS limit checks).
 */
public final class ControlOps {
    private ControlOps() {
    }

    private static final Mnemonic[] JCC = {Mnemonic.JO, Mnemonic.JNO, Mnemonic.JB, Mnemonic.JAE, Mnemonic.JE,
            Mnemonic.JNE, Mnemonic.JBE, Mnemonic.JA, Mnemonic.JS, Mnemonic.JNS, Mnemonic.JP, Mnemonic.JNP,
            Mnemonic.JL, Mnemonic.JGE, Mnemonic.JLE, Mnemonic.JG};

    public static void install(Isa.Installer in) {
        for (int cc = 0; cc < 16; cc++) {
            int cond = cc;
            in.put(JCC[cc], (c, i) -> {
                if (c.flags.condition(cond)) branch(c, i.branchTarget());
            });
        }
        in.put(Mnemonic.JMP, ControlOps::jmp);
        in.put(Mnemonic.CALL, ControlOps::call);
        in.put(Mnemonic.RET, ControlOps::ret);
        in.put(Mnemonic.JRCXZ, (c, i) -> {
            if (c.gpr[CpuState.RCX] == 0) branch(c, i.branchTarget());
        });
        in.put(Mnemonic.JECXZ, (c, i) -> {
            if ((int) c.gpr[CpuState.RCX] == 0) branch(c, i.branchTarget());
        });
        in.put(Mnemonic.LOOP, (c, i) -> loop(c, i, 0));
        in.put(Mnemonic.LOOPE, (c, i) -> loop(c, i, 1));
        in.put(Mnemonic.LOOPNE, (c, i) -> loop(c, i, 2));
        in.put(Mnemonic.PUSH, ControlOps::push);
        in.put(Mnemonic.POP, ControlOps::pop);
        in.put(Mnemonic.PUSHF, (c, i) -> pushValue(c, 2, pushedFlags(c)));
        in.put(Mnemonic.PUSHFD, (c, i) -> pushValue(c, 4, pushedFlags(c)));
        in.put(Mnemonic.PUSHFQ, (c, i) -> pushValue(c, 8, pushedFlags(c)));
        in.put(Mnemonic.POPF, (c, i) -> popf(c, 2));
        in.put(Mnemonic.POPFD, (c, i) -> popf(c, 4));
        in.put(Mnemonic.POPFQ, (c, i) -> popf(c, 8));
        in.put(Mnemonic.RETF, FarReturn::retf);
        in.put(Mnemonic.LEAVE, ControlOps::leave);
        in.put(Mnemonic.ENTER, ControlOps::enter);
        PushAllOps.install(in);
        LegacyOps.install(in);
    }

    /**
     * Sets RIP to a branch target, #GP(0) when it is not canonical (64-bit mode). Outside 64-bit
     * mode EIP wraps at 4 GiB and a target beyond CS.limit is #GP(0) on the branch itself (SDM
     * Vol. 2 JMP/Jcc "Protected Mode Exceptions"; Vol. 3A, 5.3).
     */
    public static void branch(Cpu c, long target) {
        if (!c.state.mode64()) {
            long t = target & 0xFFFF_FFFFL;
            checkCodeLimit(c, t);
            c.state.rip = t;
            return;
        }
        if ((target << 16 >> 16) != target) throw GuestFault.generalProtection(0);
        c.state.rip = target;
    }

    /** Outside 64-bit mode: #GP(0) when EIP {@code target} lies beyond CS.limit (SDM Vol. 3A, 5.3). */
    static void checkCodeLimit(Cpu c, long target) {
        if (target > c.state.cs.limitUnsigned()) throw GuestFault.generalProtection(0);
    }

    /** EIP from a near target outside 64-bit mode: truncated to the operand size (IP with 16). */
    private static long eip(Instruction i, long target) {
        return i.operandSize() == 16 ? target & 0xFFFF : target & 0xFFFF_FFFFL;
    }

    private static long target(Cpu c, Instruction i) {
        if (i.operandKind(0) == OperandKind.BRANCH) return i.branchTarget();
        if (isFarPointer(i)) throw unimplemented(c, i, "far indirect CALL");
        return Operands.read(c, i, 0);
    }

    /** JMP/CALL m16:16/32/64 (FF /3, FF /5): the memory operand holds an offset of the operand size and a selector. */
    private static boolean isFarPointer(Instruction i) {
        return i.operandKind(0) == OperandKind.MEMORY && i.operandBits(0) == i.operandSize() + 16;
    }

    static GuestFault unimplemented(Cpu c, Instruction i, String what) {
        c.stats.unimplemented(i.mnemonicId());
        return GuestFault.invalidOpcode(what + " is not implemented");
    }

    private static void jmp(Cpu c, Instruction i) {
        if (i.operandKind(0) == OperandKind.IMMEDIATE) { // JMP ptr16:16/32 (not in 64-bit mode)
            InterruptOps.farJump(c, i, (int) i.immediate(1) & 0xFFFF, i.immediate(0));
            return;
        }
        if (isFarPointer(i)) { // JMP m16:xx
            long a = Operands.address(c, i);
            int bytes = i.operandSize() / 8;
            long offset = Operands.readMem(c, i, a, bytes);
            int selector = (int) Operands.readMem(c, i, a + bytes, 2);
            InterruptOps.farJump(c, i, selector, offset);
            return;
        }
        branch(c, target(c, i));
    }

    private static void call(Cpu c, Instruction i) {
        if (i.operandKind(0) == OperandKind.IMMEDIATE) throw unimplemented(c, i, "far CALL ptr16:32");
        long t = target(c, i);
        if (!c.state.mode64()) { // 32- or 16-bit code: EIP pushed at the operand size
            long eip = eip(i, t);
            checkCodeLimit(c, eip); // before the push: a fault changes nothing
            Stack.push(c, i.operandSize() / 8, i.nextIp());
            c.state.rip = eip;
            return;
        }
        if ((t << 16 >> 16) != t) throw GuestFault.generalProtection(0);
        c.push64(i.nextIp());
        c.state.rip = t;
    }

    private static void ret(Cpu c, Instruction i) {
        long sp = c.gpr[CpuState.RSP];
        long extra = i.operandCount() > 0 ? i.immediate(0) & 0xFFFF : 0;
        if (!c.state.mode64()) {
            int bytes = i.operandSize() / 8;
            long t = eip(i, Stack.read(c, 0, bytes));
            checkCodeLimit(c, t);
            Stack.release(c, bytes + extra);
            c.state.rip = t;
            return;
        }
        long t = c.readStack(sp, 8);
        if ((t << 16 >> 16) != t) throw GuestFault.generalProtection(0);
        c.gpr[CpuState.RSP] = sp + 8 + extra;
        c.state.rip = t;
    }

    /** LOOP (kind 0), LOOPE (1), LOOPNE (2): decrement RCX (ECX with 67) without touching flags. */
    private static void loop(Cpu c, Instruction i, int kind) {
        // The count register is CX, ECX or RCX by the address size.
        long count = (c.gpr[CpuState.RCX] - 1) & Operands.mask(i.addressSize());
        boolean go = count != 0 && (kind == 0 || (kind == 1) == c.flags.zf());
        if (go) branch(c, i.branchTarget()); // faults (canonical, CS limit) before RCX changes
        Operands.writeGpr(c.gpr, CpuState.RCX, i.addressSize(), count);
    }

    /** Bytes a PUSH/POP of this instruction moves: the operand size (in 64-bit mode 8, or 2 with a 66 prefix). */
    private static int stackBytes(Instruction i) {
        return i.bitness() == 64 ? (i.operandSize() == 16 ? 2 : 8) : i.operandSize() / 8;
    }

    private static void pushValue(Cpu c, int bytes, long v) {
        Stack.push(c, bytes, v);
    }

    private static void push(Cpu c, Instruction i) {
        int bytes = stackBytes(i);
        if (i.operandKind(0) == OperandKind.REGISTER && Operands.gprIndex(i.register(0)) < 0) {
            SegmentLoadOps.push(c, i, bytes);
            return;
        }
        // The source is read before RSP changes (PUSH RSP pushes the old value; SDM PUSH).
        long v = Operands.read(c, i, 0);
        pushValue(c, bytes, v);
    }

    private static void pop(Cpu c, Instruction i) {
        int bytes = stackBytes(i);
        if (i.operandKind(0) == OperandKind.REGISTER && Operands.gprIndex(i.register(0)) < 0) {
            SegmentLoadOps.pop(c, i, bytes);
            return;
        }
        long sp = c.gpr[CpuState.RSP];
        long v = Stack.read(c, 0, bytes);
        if (i.operandKind(0) == OperandKind.REGISTER) {
            Stack.release(c, bytes);
            Operands.writeReg(c.gpr, i.register(0), v); // POP RSP: the popped value wins
        } else {
            // A memory destination is addressed with RSP already incremented (SDM POP); a
            // fault on the store leaves RSP as it was.
            Stack.release(c, bytes);
            try {
                Operands.write(c, i, 0, v);
            } catch (GuestFault f) {
                c.gpr[CpuState.RSP] = sp;
                throw f;
            }
        }
    }

    /** RFLAGS as PUSHF stores it: VM and RF read as 0 (SDM PUSHF). */
    private static long pushedFlags(Cpu c) {
        return c.state.rflags() & ~(Rflags.VM | Rflags.RF);
    }

    /**
     * POPF/POPFQ in 64-bit mode (SDM POPF, protected-mode rules): IOPL changes only at CPL 0,
     * IF only when CPL <= IOPL; VM and RF are cleared, VIF and VIP kept.
     */
    private static void popf(Cpu c, int bytes) {
        long v = Stack.pop(c, bytes);
        long old = c.state.rflags();
        long changeable = Rflags.STATUS | Rflags.TF | Rflags.DF | Rflags.NT | Rflags.AC | Rflags.ID;
        int cpl = c.state.cpl();
        if (cpl == 0) changeable |= Rflags.IOPL;
        if (cpl <= c.state.iopl()) changeable |= Rflags.IF;
        if (bytes == 2) changeable &= 0xFFFF;
        long next = (old & ~changeable) | (v & changeable);
        next &= ~(Rflags.VM | Rflags.RF);
        c.state.setRflags(next);
        if ((next & Rflags.IF) != 0) c.interruptFlagSet((old & Rflags.IF) == 0, false);
    }

    private static void leave(Cpu c, Instruction i) {
        int bytes = stackBytes(i);
        if (!c.state.mode64()) { // SP/ESP = BP/EBP at the stack-address size, then POP (E)BP
            long m = Stack.mask(c);
            long bp = c.gpr[CpuState.RBP] & m;
            long v = c.readData(CpuState.SS, bp, bytes);
            Stack.setSp(c, bp + bytes);
            Operands.writeGpr(c.gpr, CpuState.RBP, bytes * 8, v);
            return;
        }
        long bp = c.gpr[CpuState.RBP];
        long v = c.readStack(bp, bytes);
        c.gpr[CpuState.RSP] = bp + bytes;
        if (bytes == 2) Operands.writeGpr(c.gpr, CpuState.RBP, 16, v); else c.gpr[CpuState.RBP] = v;
    }

    /** ENTER size, level (SDM ENTER, 64-bit mode): nesting level taken modulo 32. */
    private static void enter(Cpu c, Instruction i) {
        if (!c.state.mode64()) {
            enterLegacy(c, i);
            return;
        }
        int bytes = stackBytes(i);
        long size = i.immediate(0) & 0xFFFF;
        int level = (int) (i.immediate(1) & 0x1F);
        long rsp = c.gpr[CpuState.RSP], rbp = c.gpr[CpuState.RBP];
        // Check every store first so a fault changes nothing.
        long last = rsp - (long) bytes * (level + 1) - size;
        c.probeWrite(rsp - (long) bytes * (level + 1), bytes * (level + 1), true);
        long sp = rsp - bytes;
        c.writeStack(sp, bytes, rbp);
        long frame = sp;
        if (level > 0) {
            long bpCursor = rbp;
            for (int n = 1; n < level; n++) {
                bpCursor -= bytes;
                long v = c.readStack(bpCursor, bytes);
                sp -= bytes;
                c.writeStack(sp, bytes, v);
            }
            sp -= bytes;
            c.writeStack(sp, bytes, frame);
        }
        if (bytes == 2) Operands.writeGpr(c.gpr, CpuState.RBP, 16, frame); else c.gpr[CpuState.RBP] = frame;
        c.gpr[CpuState.RSP] = last;
    }

    /**
     * ENTER outside 64-bit mode (SDM ENTER): the stack-address size is SS.B, the frame pointer
     * the operand size; every store, the copied frame pointers' reads and the final stack
     * pointer are checked against SS before anything changes (#SS(0)).
     */
    private static void enterLegacy(Cpu c, Instruction i) {
        int bytes = i.operandSize() / 8;
        long m = Stack.mask(c);
        long size = i.immediate(0) & 0xFFFF;
        int level = (int) (i.immediate(1) & 0x1F);
        long sp0 = c.gpr[CpuState.RSP] & m, bp0 = c.gpr[CpuState.RBP];
        long frame = (sp0 - bytes) & m;
        long low = (sp0 - (long) bytes * (level + 1)) & m;
        long last = (low - size) & m;
        c.probeWriteData(CpuState.SS, low, bytes * (level + 1));
        // The new stack pointer itself must lie within SS (SDM ENTER "Protected Mode Exceptions").
        org.jvmx.translator.exec.SegmentChecks.write(c, CpuState.SS, last, 1);
        long[] copied = new long[Math.max(level - 1, 0)];
        // The copied frame pointers are read through BP or EBP by the stack-address size.
        for (int n = 1; n < level; n++) copied[n - 1] = c.readData(CpuState.SS, (bp0 - (long) n * bytes) & m, bytes);
        c.writeData(CpuState.SS, frame, bytes, bp0);
        long sp = frame;
        for (int n = 1; n < level; n++) {
            sp = (sp - bytes) & m;
            c.writeData(CpuState.SS, sp, bytes, copied[n - 1]);
        }
        if (level > 0) {
            sp = (sp - bytes) & m;
            c.writeData(CpuState.SS, sp, bytes, frame);
        }
        Operands.writeGpr(c.gpr, CpuState.RBP, m == 0xFFFF ? 16 : 32, frame); // BP or EBP by the stack size
        Stack.setSp(c, last);
    }
}

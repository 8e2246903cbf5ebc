package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * The read-modify-write core shared by the integer groups: one operation code per flag-setting
 * operation, a flag-recording evaluation ({@link #compute}) and a flag-free one for the LOCK path
 * ({@link #pure}), and the destination access with precise faults.
 *
 * <p>A memory destination is checked for writing before anything is recorded (SDM Vol. 3A, 6.6:
 * a fault leaves the state as it was before the instruction; a read-modify-write access is a write
 * access for paging). With LOCK (SDM Vol. 3A, 9.1.2.2) the update is a compare-and-exchange loop on
 * guest memory: the new value is computed without touching the flags (the loop may run more than
 * once, and ADC/SBB/INC/DEC read CF), and the flags are recorded once from the value that won.
 */
final class IntAccess {
    private IntAccess() {
    }

    /** Operation codes: group 1 in ModRM.reg order first, then the other read-modify-writes. */
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7, TEST = 8,
            NOT = 9, NEG = 10, INC = 11, DEC = 12, BTS = 13, BTR = 14, BTC = 15, BT = 16, XADD = 17, XCHG = 18,
            SHL = 19, SHR = 20, SAR = 21, ROL = 22, ROR = 23, RCL = 24, RCR = 25;

    /** The operations that only read their destination (no write-back, no write check). */
    static boolean readOnly(int op) {
        return op == CMP || op == TEST || op == BT;
    }

    /** {@code op} on (a, b) at {@code bits}, recording the flags; the result is zero-extended from bits. */
    static long compute(LazyFlags f, int op, int bits, long a, long b) {
        switch (op) {
            case ADD: return f.add(bits, a, b);
            case OR: return f.or(bits, a, b);
            case ADC: return f.adc(bits, a, b);
            case SBB: return f.sbb(bits, a, b);
            case AND: return f.and(bits, a, b);
            case SUB: return f.sub(bits, a, b);
            case XOR: return f.xor(bits, a, b);
            case CMP: f.cmp(bits, a, b); return a;
            case TEST: f.test(bits, a, b); return a;
            default: return compute2(f, op, bits, a, b);
        }
    }

    private static long compute2(LazyFlags f, int op, int bits, long a, long b) {
        switch (op) {
            case NOT: return ~a & Operands.mask(bits);
            case NEG: return f.neg(bits, a);
            case INC: return f.inc(bits, a);
            case DEC: return f.dec(bits, a);
            case BTS: return f.bts(bits, a, b);
            case BTR: return f.btr(bits, a, b);
            case BTC: return f.btc(bits, a, b);
            case BT: return f.bt(bits, a, b);
            case XADD: return f.add(bits, a, b);
            case XCHG: return b;
            case SHL: return f.shl(bits, a, (int) b);
            case SHR: return f.shr(bits, a, (int) b);
            case SAR: return f.sar(bits, a, (int) b);
            case ROL: return f.rol(bits, a, (int) b);
            case ROR: return f.ror(bits, a, (int) b);
            case RCL: return f.rcl(bits, a, (int) b);
            default: return f.rcr(bits, a, (int) b);
        }
    }

    /** The value {@code op} stores, without flags (the LOCK'able operations only); {@code cf} is the carry-in. */
    static long pure(int op, int bits, long a, long b, boolean cf) {
        long r;
        switch (op) {
            case ADD, XADD -> r = a + b;
            case OR -> r = a | b;
            case ADC -> r = a + b + (cf ? 1 : 0);
            case SBB -> r = a - b - (cf ? 1 : 0);
            case AND -> r = a & b;
            case SUB -> r = a - b;
            case XOR -> r = a ^ b;
            case NOT -> r = ~a;
            case NEG -> r = -a;
            case INC -> r = a + 1;
            case DEC -> r = a - 1;
            case BTS -> r = a | 1L << (b & (bits - 1));
            case BTR -> r = a & ~(1L << (b & (bits - 1)));
            case BTC -> r = a ^ 1L << (b & (bits - 1));
            case XCHG -> r = b;
            default -> throw new IllegalStateException("not lockable: " + op);
        }
        return r & Operands.mask(bits);
    }

    /**
     * Read-modify-write of operand 0 (a GPR or memory) with {@code op} and source {@code src};
     * returns the old value (zero-extended).
     */
    static long rmw(Cpu c, Instruction i, int op, long src) {
        int bits = i.operandBits(0);
        if (i.operandKind(0) == OperandKind.REGISTER) {
            Register r = i.register(0);
            long a = Operands.readReg(c.gpr, r);
            long v = compute(c.flags, op, bits, a, src);
            if (!readOnly(op)) Operands.writeReg(c.gpr, r, v);
            return a;
        }
        return rmwAt(c, i, op, bits, Operands.address(c, i), src);
    }

    /** {@link #rmw} on memory at {@code addr} (BT* with a register bit offset address a neighbouring unit). */
    static long rmwAt(Cpu c, Instruction i, int op, int bits, long addr, long src) {
        int bytes = bits >>> 3;
        if (readOnly(op)) {
            long a = Operands.readMem(c, i, addr, bytes);
            compute(c.flags, op, bits, a, src);
            return a;
        }
        if (i.hasLock()) {
            long old = locked(c, i, addr, bytes, op, bits, src);
            compute(c.flags, op, bits, old, src);
            return old;
        }
        Operands.probeWriteMem(c, i, addr, bytes);
        long a = Operands.readMem(c, i, addr, bytes);
        Operands.writeMem(c, i, addr, bytes, compute(c.flags, op, bits, a, src));
        return a;
    }

    /** The LOCK'd update: a compare-and-exchange loop with {@link #pure}; returns the value replaced. */
    static long locked(Cpu c, Instruction i, long addr, int bytes, int op, int bits, long src) {
        Operands.checkWrite(c, i, addr, bytes);
        long m = Operands.mask(bits);
        switch (op) {
            // one host atomic, no retry loop: what LOCK XADD and XCHG are on the host too
            case ADD, XADD: return c.memory.getAndAdd(addr, bytes, src, c.user) & m;
            case SUB: return c.memory.getAndAdd(addr, bytes, -src, c.user) & m;
            case INC: return c.memory.getAndAdd(addr, bytes, 1, c.user) & m;
            case DEC: return c.memory.getAndAdd(addr, bytes, -1, c.user) & m;
            case XCHG: return c.memory.getAndSet(addr, bytes, src, c.user) & m;
            default: break;
        }
        boolean cf = c.flags.cf();
        c.memory.probeWrite(addr, bytes, c.user); // a locked read-modify-write faults as a write
        long old = c.memory.read(addr, bytes, c.user);
        while (true) {
            long next = pure(op, bits, old, src, cf);
            long seen = c.memory.compareAndExchange(addr, bytes, old, next, c.user) & m;
            if (seen == old) return old;
            old = seen;
        }
    }

    /** The canonical-address check of a memory operand: #SS(0) through SS, else #GP(0) (SDM Vol. 3A, 3.3.7.1). */
    static void canonical(Instruction i, long addr) {
        if ((addr << 16 >> 16) != addr) {
            throw Operands.isStackAccess(i) ? GuestFault.stackFault(0) : GuestFault.generalProtection(0);
        }
    }

    /** Raises #UD for a form this group does not implement, counting it as unimplemented. */
    static GuestFault unimplemented(Cpu c, Instruction i, String what) {
        c.stats.unimplemented(i.mnemonicId());
        return GuestFault.invalidOpcode(i.mnemonic() + ": " + what + " not implemented");
    }

    /** The condition-code number (SDM Vol. 1, Appendix B) of a Jcc/SETcc/CMOVcc suffix, or -1. */
    static int conditionCode(String suffix) {
        return java.util.List.of("O", "NO", "B", "AE", "E", "NE", "BE", "A", "S", "NS", "P", "NP", "L", "GE", "LE", "G")
                .indexOf(suffix);
    }
}

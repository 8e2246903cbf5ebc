package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.sem.x87.Float80;
import org.jvmx.translator.sem.x87.X87Env;

/**
 * The x87 register stack and status word as instructions use them (SDM Vol. 1, 8.1): ST(i)
 * through TOP, the tag word kept in step with every write, stack overflow/underflow (IE with
 * SF, C1 telling which, SDM Vol. 1, 8.5.1.1), the exception summary (ES and B set when an
 * unmasked exception is flagged, SDM Vol. 1, 8.1.3.1) and the gates every x87 instruction passes:
 * #NM with CR0.EM or CR0.TS, and for the waiting ones #MF while an unmasked exception is
 * pending (CR0.NE=1, native error reporting, SDM Vol. 1, 8.7).
 */
final class X87Stack {
    private X87Stack() {
    }

    static final int C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10, C3 = 1 << 14, SF = 1 << 6, ES = 1 << 7, B = 1 << 15;
    static final int CC = C0 | C1 | C2 | C3;

    /** The gates of a waiting x87 instruction; records FIP (and FDP for a memory operand). */
    static FpuState begin(Cpu c, Instruction i) {
        FpuState f = beginNoWait(c);
        checkPending(c);
        return f;
    }

    /**
     * An unmasked exception is pending: a flag set whose mask is clear. (Not the ES bit itself:
     * after FNSTENV has masked everything, FLDENV runs without #MF although ES is still set,
     * measured on this host.)
     */
    static boolean pending(FpuState f) {
        return (f.fsw & ~f.fcw & 0x3F) != 0;
    }

    /**
     * #MF for a pending unmasked exception, with CR0.NE (native error reporting). With CR0.NE
     * clear the PC-style FERR#/IGNNE# path is not modelled: the exception is ignored, as with
     * IGNNE# asserted (SDM Vol. 1, 8.7 and D.2).
     */
    static void checkPending(Cpu c) {
        if ((c.state.cr0 & CpuState.CR0_NE) != 0 && pending(c.state.fpu)) throw new GuestFault(GuestFault.MF, 0, "#MF");
    }

    /** The gate of FNSTSW/FNSTCW/FNCLEX/FNINIT/FNSTENV/FNSAVE: #NM only. */
    static FpuState beginNoWait(Cpu c) {
        if ((c.state.cr0 & (CpuState.CR0_EM | CpuState.CR0_TS)) != 0) throw GuestFault.deviceNotAvailable();
        return c.state.fpu;
    }

    /**
     * Records the last instruction pointer and selector, the opcode, and for a memory operand the
     * data pointer and selector, of a non-control instruction (SDM Vol. 1, 8.1.8 and 8.1.9).
     */
    static void recordPointers(Cpu c, FpuState f, Instruction i, long dataAddress) {
        f.fip = i.ip();
        f.fcs = c.state.seg[CpuState.CS].selector();
        f.fop = opcode(i);
        if (dataAddress != -1) {
            f.fdp = dataAddress;
            f.fds = c.state.seg[i.memSegment().ordinal() - Register.ES.ordinal()].selector();
        }
    }

    /**
     * The 11-bit last opcode: the low three bits of the escape byte (D8-DF) and the ModR/M byte
     * (SDM Vol. 1, Figure 8-8), as the decoder kept them (no guest memory read).
     */
    static int opcode(Instruction i) {
        int om = i.opcodeModrm();
        return (om >> 8 & 7) << 8 | om & 0xFF;
    }

    static int stIndex(Instruction i, int op) {
        return i.register(op).ordinal() - Register.ST0.ordinal();
    }

    static boolean empty(FpuState f, int st) {
        return (f.ftw >>> (2 * f.physical(st)) & 3) == 3;
    }

    static Float80 get(FpuState f, int st) {
        int r = f.physical(st);
        return new Float80(f.signExponent[r], f.mantissa[r]);
    }

    static void set(FpuState f, int st, Float80 v) {
        int r = f.physical(st);
        f.signExponent[r] = (short) v.se();
        f.mantissa[r] = v.sig();
        f.ftw = f.ftw & ~(3 << 2 * r) | v.tag() << 2 * r;
    }

    /** {@link #set} from the bits of the value. */
    static void set(FpuState f, int st, int se, long sig) {
        int r = f.physical(st);
        f.signExponent[r] = (short) se;
        f.mantissa[r] = sig;
        f.ftw = f.ftw & ~(3 << 2 * r) | Float80.tag(se, sig) << 2 * r;
    }

    static void setTop(FpuState f, int top) {
        f.fsw = f.fsw & ~(7 << 11) | (top & 7) << 11;
    }

    /** Pops: ST(0) tagged empty, TOP incremented. */
    static void pop(FpuState f) {
        int r = f.top();
        f.ftw |= 3 << 2 * r;
        setTop(f, r + 1);
    }

    /** Pushes {@code v}; ST(7) must be empty (the caller checked {@link #pushOverflows}). */
    static void push(FpuState f, Float80 v) {
        setTop(f, f.top() - 1);
        set(f, 0, v);
    }

    /**
     * The stack checks of an instruction that replaces ST(0) and pushes one more value (FXTRACT,
     * FPTAN, FSINCOS): an empty ST(0) is a stack underflow, a full register below it an overflow;
     * with the invalid-operation exception masked both ST(0) and the pushed value become the
     * indefinite. True when such a fault ended the instruction.
     */
    static boolean replaceAndPushFaults(FpuState f) {
        if (empty(f, 0)) {
            if (underflowStops(f)) return true;
            set(f, 0, Float80.INDEFINITE);
            push(f, Float80.INDEFINITE); // no overflow check after the underflow (measured on this host)
            return true;
        }
        if (pushOverflows(f)) {
            stackFault(f, true);
            if ((f.fcw & X87Env.IE) == 0) return true;
            set(f, 0, Float80.INDEFINITE);
            push(f, Float80.INDEFINITE);
            return true;
        }
        return false;
    }

    /** The register a push would fill (ST(7)) is in use: stack overflow. */
    static boolean pushOverflows(FpuState f) {
        return !empty(f, 7);
    }

    /**
     * A push with overflow handling: on overflow IE+SF with C1=1; masked, the indefinite is
     * pushed; unmasked, nothing changes. Returns false when nothing was pushed.
     */
    static boolean pushChecked(FpuState f, Float80 v) {
        if (pushOverflows(f)) {
            stackFault(f, true);
            if ((f.fcw & X87Env.IE) == 0) return false;
            v = Float80.INDEFINITE;
        }
        push(f, v);
        return true;
    }

    /** Pushes a value that raises nothing itself: the overflow response, or the push with C1 cleared. */
    static void pushValue(FpuState f, Float80 v) {
        if (pushOverflows(f)) {
            pushChecked(f, v);
            return;
        }
        push(f, v);
        f.fsw &= ~C1;
    }

    /** Stack overflow (C1=1) or underflow (C1=0): IE and SF, plus ES/B when IE is unmasked. */
    static void stackFault(FpuState f, boolean overflow) {
        f.fsw = f.fsw & ~C1 | X87Env.IE | SF | (overflow ? C1 : 0);
        if ((f.fcw & X87Env.IE) == 0) f.fsw |= ES | B;
    }

    /** Underflow on reading an empty register: true when the instruction must stop (IE unmasked). */
    static boolean underflowStops(FpuState f) {
        stackFault(f, false);
        return (f.fcw & X87Env.IE) == 0;
    }

    /** Merges an operation's exceptions and C1 into the status word. */
    static void finish(FpuState f, X87Env env) {
        f.fsw = f.fsw & ~C1 | env.flags | (env.roundedUp ? C1 : 0);
        if ((env.flags & ~env.masks & 0x3F) != 0) f.fsw |= ES | B;
    }

    /** Whether an unmasked IE, DE or ZE leaves a register destination unchanged (SDM Vol. 1, 4.9.2). */
    static boolean blocked(X87Env env) {
        return (env.flags & ~env.masks & (X87Env.IE | X87Env.DE | X87Env.ZE)) != 0;
    }

    /** The CPU's environment, loaded from the FCW: one instruction uses one at a time (see {@link FpuState#scratch}). */
    static X87Env env(FpuState f) {
        X87Env e = f.scratch instanceof X87Env x ? x : new X87Env(0);
        f.scratch = e;
        return e.load(f.fcw);
    }

    /** Sets C3 C2 C0 (and clears C1) from a compare result (SDM Vol. 2A, FCOM, Table 3-21). */
    static void compareCodes(FpuState f, int result) {
        int cc = switch (result) {
            case 0 -> 0;                     // greater
            case 1 -> C0;                    // less
            case 2 -> C3;                    // equal
            default -> C3 | C2 | C0;         // unordered
        };
        f.fsw = f.fsw & ~CC | cc;
    }

    static long address(Cpu c, Instruction i) {
        return Operands.address(c, i);
    }
}

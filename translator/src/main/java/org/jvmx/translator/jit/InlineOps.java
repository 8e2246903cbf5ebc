package org.jvmx.translator.jit;

import static org.jvmx.translator.jit.Names.*;
import static org.jvmx.translator.jit.RegionEmitter.*;
import static org.objectweb.asm.Opcodes.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.exec.Operands;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The instructions the JIT writes as bytecode instead of calling their semantics: the
 * common integer moves and arithmetic, the stack, and direct branches. Arithmetic calls the
 * same {@code LazyFlags} operations as the semantics, so both tiers compute the same flags
 * (DESIGN.md, "Two tiers, one semantics"); register operands follow the 64-bit-mode rules
 * (SDM Vol. 1, 3.4.1.1: a 32-bit write zero-extends, 8/16-bit writes merge, AH..BH are bits
 * 15:8). Anything else, and every form not listed in {@link #supports}, takes the generic path.
 */
final class InlineOps {
    private InlineOps() {
    }

    /** Jcc mnemonic ordinal -> condition code (low nibble of the opcode), -1 otherwise. */
    private static final int[] CC = new int[Mnemonic.values().length];

    static {
        java.util.Arrays.fill(CC, -1);
        String[] names = {"JO", "JNO", "JB", "JAE", "JE", "JNE", "JBE", "JA", "JS", "JNS", "JP", "JNP", "JL", "JGE", "JLE", "JG"};
        for (int cc = 0; cc < 16; cc++) CC[Mnemonic.valueOf(names[cc]).ordinal()] = cc;
    }

    static int condition(Mnemonic m) {
        return CC[m.ordinal()];
    }

    static boolean isBranch(Instruction i) {
        Mnemonic m = i.mnemonic();
        return CC[m.ordinal()] >= 0 || m == Mnemonic.JMP || m == Mnemonic.CALL || m == Mnemonic.RET;
    }

    /** Whether this form of the instruction has an inline translation. */
    static boolean supports(Instruction i) {
        if (i.bitness() != 64) return supportsLegacy(i);
        Mnemonic m = i.mnemonic();
        int n = i.operandCount();
        // Direct branches to a non-canonical target raise #GP: the generic path does that.
        if (CC[m.ordinal()] >= 0) return n == 1 && i.operandKind(0) == OperandKind.BRANCH && canonical(i.branchTarget());
        return switch (m) {
            case JMP, CALL -> n == 1 && i.operandKind(0) == OperandKind.BRANCH && canonical(i.branchTarget());
            case RET -> n == 0 && i.operandSize() == 64;
            case NOP -> true;
            case MOV -> n == 2 && dest(i) && source(i, 1) && !(mem(i, 0) && mem(i, 1))
                    && (i.operandKind(1) == OperandKind.IMMEDIATE || i.operandBits(0) == i.operandBits(1));
            case LEA -> n == 2 && reg(i, 0) && mem(i, 1) && memoryOk(i);
            // zero/sign extension into a register: byte and word loads are common in compiled C
            case MOVZX, MOVSX, MOVSXD -> n == 2 && reg(i, 0) && (reg(i, 1) || (mem(i, 1) && memoryOk(i) && okBits(i.operandBits(1))));
            case ADD, SUB, AND, OR, XOR -> n == 2 && dest(i) && source(i, 1) && !(mem(i, 0) && mem(i, 1))
                    && !(mem(i, 0) && i.hasLock());
            case CMP, TEST -> n == 2 && (reg(i, 0) || (mem(i, 0) && memoryOk(i))) && source(i, 1) && !(mem(i, 0) && mem(i, 1));
            case INC, DEC -> n == 1 && dest(i) && !(mem(i, 0) && i.hasLock());
            case PUSH -> n == 1 && i.operandSize() == 64 && (reg(i, 0) || i.operandKind(0) == OperandKind.IMMEDIATE);
            case POP -> n == 1 && i.operandSize() == 64 && reg(i, 0) && i.operandBits(0) == 64;
            default -> false;
        };
    }

    /**
     * 32- and 16-bit code (protected, compatibility and real mode): only what does not depend
     * on the mode is inlined. Register and immediate operands follow the same rules in every
     * mode (SDM Vol. 1, 3.4.1: jvmx keeps the upper half of a 64-bit register zero after a
     * 32-bit write, as the semantics do); LEA computes an offset without a segment, wrapped at
     * its 32-bit address size. Memory operands (segment bases, limits, access rights, the 4 GiB
     * wrap) are read and written by calls to the checked {@code Operands} methods the
     * semantics use ({@link CheckedAccess}); read-modify-write destinations, the stack (ESP or
     * SP by SS.B, 16/32-bit slots) and CALL/RET take the generic path, the semantics
     * themselves. Direct JMP/Jcc are inlined as control flow to targets the decoder wrapped at
     * the operand size; a target beyond the CS limit runs the branch's semantics (see
     * RegionEmitter.legacyBranch), so the rules for such an EIP are the interpreter's.
     */
    private static boolean supportsLegacy(Instruction i) {
        Mnemonic m = i.mnemonic();
        int n = i.operandCount();
        if (CC[m.ordinal()] >= 0 || m == Mnemonic.JMP) return n == 1 && i.operandKind(0) == OperandKind.BRANCH;
        return switch (m) {
            case NOP -> true;
            // MOV r, r/m/imm and MOV m, r/imm: the memory side through CheckedAccess
            case MOV -> n == 2 && (reg(i, 0) || checkedMem(i, 0)) && (reg(i, 1) || checkedMem(i, 1)
                    || i.operandKind(1) == OperandKind.IMMEDIATE) && !(mem(i, 0) && mem(i, 1))
                    && (i.operandKind(1) == OperandKind.IMMEDIATE || i.operandBits(0) == i.operandBits(1));
            case LEA -> n == 2 && reg(i, 0) && mem(i, 1) && i.addressSize() == 32 && memoryOk(i);
            // a memory destination is a read-modify-write (LOCK, atomicity): the semantics' job
            case ADD, SUB, AND, OR, XOR -> n == 2 && reg(i, 0) && (reg(i, 1) || checkedMem(i, 1) || i.operandKind(1) == OperandKind.IMMEDIATE);
            case CMP, TEST -> n == 2 && (reg(i, 0) || checkedMem(i, 0)) && !(mem(i, 0) && mem(i, 1))
                    && (reg(i, 1) || checkedMem(i, 1) || i.operandKind(1) == OperandKind.IMMEDIATE);
            case INC, DEC -> n == 1 && reg(i, 0);
            default -> false;
        };
    }

    /** A memory operand of 32/16-bit code read or written through {@link CheckedAccess}. */
    private static boolean checkedMem(Instruction i, int op) {
        return mem(i, op) && !i.isVsib() && !i.hasLock() && okBits(i.operandBits(op)) && i.operandBits(op) <= 32;
    }

    private static boolean canonical(long a) {
        return (a << 16 >> 16) == a;
    }

    private static boolean reg(Instruction i, int op) {
        if (i.operandKind(op) != OperandKind.REGISTER) return false;
        int bits = i.operandBits(op);
        return Operands.gprIndex(i.register(op)) >= 0 && (bits == 8 || bits == 16 || bits == 32 || bits == 64);
    }

    private static boolean mem(Instruction i, int op) {
        return i.operandKind(op) == OperandKind.MEMORY;
    }

    private static boolean dest(Instruction i) {
        return reg(i, 0) || (mem(i, 0) && memoryOk(i) && okBits(i.operandBits(0)));
    }

    private static boolean source(Instruction i, int op) {
        return reg(i, op) || i.operandKind(op) == OperandKind.IMMEDIATE || (mem(i, op) && memoryOk(i) && okBits(i.operandBits(op)));
    }

    private static boolean okBits(int bits) {
        return bits == 8 || bits == 16 || bits == 32 || bits == 64;
    }

    /** A plain base + index * scale + displacement operand over GPRs (or RIP-relative). */
    private static boolean memoryOk(Instruction i) {
        if (i.isVsib()) return false;
        if (i.addressSize() != 64 && i.addressSize() != 32) return false;
        if (i.isRipRelative()) return true;
        Register b = i.memBase(), x = i.memIndex();
        if (b != Register.NONE && Operands.gprIndex(b) < 0) return false;
        if (x != Register.NONE && Operands.gprIndex(x) < 0) return false;
        int s = i.memScale();
        return s == 1 || s == 2 || s == 4 || s == 8;
    }

    /** GPRs (bit per number) an inline translation of {@code i} reads or writes. */
    static int registers(Instruction i) {
        int set = 0;
        for (int op = 0; op < i.operandCount(); op++) {
            if (i.operandKind(op) == OperandKind.REGISTER) {
                int g = Operands.gprIndex(i.register(op));
                if (g >= 0) set |= 1 << g;
            } else if (i.operandKind(op) == OperandKind.MEMORY && !i.isRipRelative()) {
                int b = Operands.gprIndex(i.memBase()), x = Operands.gprIndex(i.memIndex());
                if (i.memBase() != Register.NONE && b >= 0) set |= 1 << b;
                if (i.memIndex() != Register.NONE && x >= 0) set |= 1 << x;
            }
        }
        Mnemonic m = i.mnemonic();
        if (m == Mnemonic.PUSH || m == Mnemonic.POP || m == Mnemonic.CALL || m == Mnemonic.RET) set |= 1 << Operands.RSP;
        return set;
    }

    /** Whether the inline translation accesses guest memory (and so may fault). */
    static boolean touchesMemory(Instruction i) {
        Mnemonic m = i.mnemonic();
        if (m == Mnemonic.PUSH || m == Mnemonic.POP || m == Mnemonic.CALL || m == Mnemonic.RET) return true;
        if (m == Mnemonic.LEA || m == Mnemonic.NOP) return false;
        for (int op = 0; op < i.operandCount(); op++) if (i.operandKind(op) == OperandKind.MEMORY) return true;
        return false;
    }

    // ---- emission

    /** Emits the inline translation of a non-branch instruction that {@link #supports} accepts. */
    static void emit(RegionEmitter e, Instruction i) {
        Mnemonic m = i.mnemonic();
        if (m == Mnemonic.NOP) return;
        boolean memory = touchesMemory(i);
        Label guard = memory ? e.guardStart() : null;
        boolean wrote = switch (m) {
            case MOV -> mov(e, i);
            case MOVZX, MOVSX, MOVSXD -> {
                read(e, i, 1); // zero-extended from the source width
                int shift = 64 - i.operandBits(1);
                if (m != Mnemonic.MOVZX && shift > 0) {
                    e.iconst(shift);
                    e.mv.visitInsn(LSHL);
                    e.iconst(shift);
                    e.mv.visitInsn(LSHR);
                }
                writeReg(e, i, 0); // the destination's width rules (32-bit zero-extends, 16-bit merges)
                yield false;
            }
            case LEA -> {
                address(e, i, false);
                writeReg(e, i, 0);
                yield false;
            }
            case ADD, SUB, AND, OR, XOR -> arith(e, i, m);
            case CMP, TEST -> {
                MethodVisitor mv = e.mv;
                if (e.flagsDead) yield false; // register operands only (see flagsDead): nothing to do
                mv.visitVarInsn(ALOAD, FLG);
                e.iconst(i.operandBits(0));
                read(e, i, 0);
                keep(e, FA);
                read(e, i, 1);
                keep(e, FB);
                mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, m == Mnemonic.CMP ? "cmp" : "test", "(IJJ)V", false);
                yield false;
            }
            case INC, DEC -> incDec(e, i, m);
            case PUSH -> push(e, i);
            case POP -> pop(e, i);
            default -> throw new IllegalStateException("not inlined: " + i);
        };
        if (memory) e.guardEnd(guard, i);
        if (wrote) e.codeWrittenCheck(i);
    }

    private static boolean mov(RegionEmitter e, Instruction i) {
        read(e, i, 1);
        if (mem(i, 0) && i.bitness() != 64) {
            e.mv.visitVarInsn(LSTORE, VAL);
            CheckedAccess.write(e, i, 0);
            return true;
        }
        if (mem(i, 0)) {
            e.mv.visitVarInsn(LSTORE, VAL);
            address(e, i, true);
            MemoryPath.write(e, i.operandBits(0) >>> 3, Operands.isStackAccess(i));
            return true;
        }
        writeReg(e, i, 0);
        return false;
    }

    private static String flagOp(Mnemonic m) {
        return switch (m) {
            case ADD -> "add";
            case SUB -> "sub";
            case AND -> "and";
            case OR -> "or";
            case XOR -> "xor";
            case INC -> "inc";
            case DEC -> "dec";
            default -> throw new IllegalArgumentException(m.toString());
        };
    }

    /** dst = flags.op(bits, dst, src): read, compute (recording the flags), write. */
    private static boolean arith(RegionEmitter e, Instruction i, Mnemonic m) {
        MethodVisitor mv = e.mv;
        int bits = i.operandBits(0);
        if (mem(i, 0)) {
            address(e, i, true);
            mv.visitVarInsn(LSTORE, EA);
            mv.visitVarInsn(ALOAD, FLG);
            e.iconst(bits);
            mv.visitVarInsn(LLOAD, EA);
            MemoryPath.rmwRead(e, bits >>> 3, Operands.isStackAccess(i));
            keep(e, FA);
            read(e, i, 1);
            keep(e, FB);
            mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, flagOp(m), "(IJJ)J", false);
            keep(e, FR);
            mv.visitVarInsn(LSTORE, VAL);
            MemoryPath.rmwWrite(e, bits >>> 3, Operands.isStackAccess(i));
            return true;
        }
        if (e.flagsDead) {
            // no one reads these flags: the plain operation (writeReg truncates to the size)
            read(e, i, 0);
            read(e, i, 1);
            mv.visitInsn(switch (m) {
                case ADD -> LADD;
                case SUB -> LSUB;
                case AND -> LAND;
                case OR -> LOR;
                default -> LXOR;
            });
            writeReg(e, i, 0);
            return false;
        }
        mv.visitVarInsn(ALOAD, FLG);
        e.iconst(bits);
        read(e, i, 0);
        keep(e, FA);
        read(e, i, 1);
        keep(e, FB);
        mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, flagOp(m), "(IJJ)J", false);
        keep(e, FR);
        writeReg(e, i, 0);
        return false;
    }

    private static boolean incDec(RegionEmitter e, Instruction i, Mnemonic m) {
        MethodVisitor mv = e.mv;
        int bits = i.operandBits(0);
        if (mem(i, 0)) {
            address(e, i, true);
            mv.visitVarInsn(LSTORE, EA);
            mv.visitVarInsn(ALOAD, FLG);
            e.iconst(bits);
            mv.visitVarInsn(LLOAD, EA);
            MemoryPath.rmwRead(e, bits >>> 3, Operands.isStackAccess(i));
            mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, flagOp(m), "(IJ)J", false);
            keep(e, FR);
            mv.visitVarInsn(LSTORE, VAL);
            MemoryPath.rmwWrite(e, bits >>> 3, Operands.isStackAccess(i));
            return true;
        }
        mv.visitVarInsn(ALOAD, FLG);
        e.iconst(bits);
        read(e, i, 0);
        mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, flagOp(m), "(IJ)J", false);
        keep(e, FR);
        writeReg(e, i, 0);
        return false;
    }

    /** PUSH r64 / imm: the store first (it may fault), then RSP (PUSH RSP pushes the old value). */
    private static boolean push(RegionEmitter e, Instruction i) {
        MethodVisitor mv = e.mv;
        read(e, i, 0);
        mv.visitVarInsn(LSTORE, VAL);
        e.loadReg(Operands.RSP);
        e.lconst(8);
        mv.visitInsn(LSUB);
        mv.visitInsn(DUP2);
        mv.visitVarInsn(LSTORE, VAL2);
        MemoryPath.write(e, 8, true);
        mv.visitVarInsn(LLOAD, VAL2);
        e.storeReg(Operands.RSP);
        return true;
    }

    /** POP r64: load, RSP += 8, then the destination (so POP RSP keeps the loaded value). */
    private static boolean pop(RegionEmitter e, Instruction i) {
        MethodVisitor mv = e.mv;
        e.loadReg(Operands.RSP);
        MemoryPath.read(e, 8, true);
        mv.visitVarInsn(LSTORE, VAL);
        e.loadReg(Operands.RSP);
        e.lconst(8);
        mv.visitInsn(LADD);
        e.storeReg(Operands.RSP);
        mv.visitVarInsn(LLOAD, VAL);
        e.storeReg(Operands.gprIndex(i.register(0)));
        return false;
    }

    // ---- flag liveness (DESIGN.md, "Lazy flags with liveness")

    /**
     * Whether the flags {@code insns[k]} would record are dead: it is an ADD/SUB/AND/OR/XOR/
     * CMP/TEST on registers and immediates, and a later instruction of the same block
     * overwrites all six status flags without reading any (ADD SUB CMP AND OR XOR TEST; not
     * INC/DEC, which keep CF) with only register MOVs and LEAs in between. Nothing in that
     * stretch can fault, leave or stop, so no one can observe the skipped flags.
     */
    static boolean flagsDead(RegionEmitter e, Instruction[] insns, int k) {
        if (!fullFlagWriter(e, insns[k])) return false;
        for (int j = k + 1; j < insns.length; j++) {
            Instruction n = insns[j];
            if (fullFlagWriter(e, n)) return true;
            Mnemonic m = n.mnemonic();
            boolean quiet = e.inlined(n) && !touchesMemory(n) && (m == Mnemonic.MOV || m == Mnemonic.LEA || m == Mnemonic.NOP
                    || m == Mnemonic.MOVZX || m == Mnemonic.MOVSX || m == Mnemonic.MOVSXD);
            if (!quiet) return false;
        }
        return false;
    }

    private static boolean fullFlagWriter(RegionEmitter e, Instruction i) {
        if (!e.inlined(i) || touchesMemory(i)) return false;
        return switch (i.mnemonic()) {
            case ADD, SUB, AND, OR, XOR, CMP, TEST -> true;
            default -> false;
        };
    }

    // ---- compare-and-branch fusion (DESIGN.md, "Lazy flags with liveness")

    /**
     * Whether a Jcc on {@code cc} right after {@code i} can test i's operands or result
     * directly. The flags are still recorded (they may be read later); only the Jcc's
     * evaluation of the lazy flags is skipped. CMP/SUB: every condition but O/NO/P/NP, from
     * the operands; TEST/AND/OR/XOR/ADD/INC/DEC: E/NE/S/NS, from the result.
     */
    static boolean fusible(Instruction i, int cc) {
        return switch (i.mnemonic()) {
            case CMP, SUB -> cc != 0 && cc != 1 && cc != 10 && cc != 11;
            case TEST, AND, OR, XOR, ADD, INC, DEC -> cc == 4 || cc == 5 || cc == 8 || cc == 9;
            default -> false;
        };
    }

    /** While fusing, keeps a copy of the long on top of the stack in {@code slot}. */
    private static void keep(RegionEmitter e, int slot) {
        if (e.fuseCc < 0) return;
        e.mv.visitInsn(DUP2);
        e.mv.visitVarInsn(LSTORE, slot);
    }

    /** Jumps to {@code taken} when condition {@code cc} of the fused instruction {@code i} holds. */
    static void fusedJump(RegionEmitter e, Instruction i, int cc, Label taken) {
        MethodVisitor mv = e.mv;
        int bits = i.operandBits(0);
        Mnemonic m = i.mnemonic();
        if (m == Mnemonic.CMP || m == Mnemonic.SUB) {
            if (cc == 8 || cc == 9) { // S/NS: the sign of a - b at the operand size
                mv.visitVarInsn(LLOAD, FA);
                mv.visitVarInsn(LLOAD, FB);
                mv.visitInsn(LSUB);
                signBit(e, bits);
                mv.visitJumpInsn(cc == 8 ? IFNE : IFEQ, taken);
                return;
            }
            boolean signed = cc >= 12;
            operand(e, FA, bits, signed);
            operand(e, FB, bits, signed);
            if (!signed && bits == 64) {
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "compareUnsigned", "(JJ)I", false);
            } else {
                mv.visitInsn(LCMP);
            }
            int op = switch (cc) {
                case 4 -> IFEQ; // E
                case 5 -> IFNE; // NE
                case 2, 12 -> IFLT; // B, L
                case 3, 13 -> IFGE; // AE, GE
                case 6, 14 -> IFLE; // BE, LE
                default -> IFGT; // A, G
            };
            mv.visitJumpInsn(op, taken);
            return;
        }
        if (m == Mnemonic.TEST) {
            mv.visitVarInsn(LLOAD, FA);
            mv.visitVarInsn(LLOAD, FB);
            mv.visitInsn(LAND);
            if (bits < 64) {
                e.lconst(Operands.mask(bits));
                mv.visitInsn(LAND);
            }
        } else {
            mv.visitVarInsn(LLOAD, FR); // as LazyFlags returned it: zero-extended from bits
        }
        if (cc == 4 || cc == 5) {
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(cc == 4 ? IFEQ : IFNE, taken);
        } else {
            signBit(e, bits);
            mv.visitJumpInsn(cc == 8 ? IFNE : IFEQ, taken);
        }
    }

    /** [long] -> [int]: bit {@code bits - 1}. */
    private static void signBit(RegionEmitter e, int bits) {
        e.iconst(bits - 1);
        e.mv.visitInsn(LUSHR);
        e.mv.visitInsn(L2I);
        e.mv.visitInsn(ICONST_1);
        e.mv.visitInsn(IAND);
    }

    /** Pushes a kept operand at its size: zero-extended, or sign-extended for the signed conditions. */
    private static void operand(RegionEmitter e, int slot, int bits, boolean signed) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(LLOAD, slot);
        if (bits == 64) return;
        if (signed) {
            e.iconst(64 - bits);
            mv.visitInsn(LSHL);
            e.iconst(64 - bits);
            mv.visitInsn(LSHR);
        } else {
            e.lconst(Operands.mask(bits));
            mv.visitInsn(LAND);
        }
    }

    // ---- operands

    /** Pushes operand {@code op} zero-extended from its width (immediates as decoded). */
    static void read(RegionEmitter e, Instruction i, int op) {
        switch (i.operandKind(op)) {
            case REGISTER -> readReg(e, i.register(op), i.operandBits(op));
            case IMMEDIATE -> e.lconst(i.immediate(op));
            case MEMORY -> {
                if (i.bitness() != 64) {
                    CheckedAccess.read(e, i, op);
                    return;
                }
                address(e, i, true);
                MemoryPath.read(e, i.operandBits(op) >>> 3, Operands.isStackAccess(i));
            }
            default -> throw new IllegalStateException(i + ": operand " + op);
        }
    }

    private static void readReg(RegionEmitter e, Register r, int bits) {
        e.loadReg(Operands.gprIndex(r));
        int sh = Operands.gprShift(r);
        if (sh != 0) {
            e.iconst(sh);
            e.mv.visitInsn(LUSHR);
        }
        if (bits < 64) {
            e.lconst(Operands.mask(bits));
            e.mv.visitInsn(LAND);
        }
    }

    /** Pops a long into register operand {@code op} with the 64-bit-mode write rules. */
    static void writeReg(RegionEmitter e, Instruction i, int op) {
        MethodVisitor mv = e.mv;
        Register r = i.register(op);
        int g = Operands.gprIndex(r), bits = i.operandBits(op), sh = Operands.gprShift(r);
        if (bits == 64) {
            e.storeReg(g);
            return;
        }
        e.lconst(Operands.mask(bits));
        mv.visitInsn(LAND);
        if (bits < 32) {
            if (sh != 0) {
                e.iconst(sh);
                mv.visitInsn(LSHL);
            }
            e.loadReg(g);
            e.lconst(~(Operands.mask(bits) << sh));
            mv.visitInsn(LAND);
            mv.visitInsn(LOR);
        }
        e.storeReg(g);
    }

    /** Pushes the operand's effective address (SDM Vol. 1, 3.7.5), with the FS/GS base when {@code segment}. */
    static void address(RegionEmitter e, Instruction i, boolean segment) {
        MethodVisitor mv = e.mv;
        long disp = i.memDisplacement();
        boolean any = false;
        if (!i.isRipRelative()) {
            Register b = i.memBase(), x = i.memIndex();
            if (b != Register.NONE) {
                e.loadReg(Operands.gprIndex(b));
                any = true;
            }
            if (x != Register.NONE) {
                e.loadReg(Operands.gprIndex(x));
                int s = Integer.numberOfTrailingZeros(i.memScale());
                if (s != 0) {
                    e.iconst(s);
                    mv.visitInsn(LSHL);
                }
                if (any) mv.visitInsn(LADD);
                any = true;
            }
        }
        if (!any) {
            e.lconst(disp);
        } else if (disp != 0) {
            e.lconst(disp);
            mv.visitInsn(LADD);
        }
        if (i.addressSize() == 32) {
            e.lconst(0xFFFF_FFFFL);
            mv.visitInsn(LAND);
        }
        Register seg = i.memSegment();
        if (segment && (seg == Register.FS || seg == Register.GS)) {
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
            mv.visitFieldInsn(GETFIELD, STATE, seg == Register.FS ? "fs" : "gs", SEG_D);
            mv.visitMethodInsn(INVOKEVIRTUAL, SEG, "base", "()J", false);
            mv.visitInsn(LADD);
        }
    }
}

package org.jvmx.translator.jit;

import static org.jvmx.translator.jit.Names.*;
import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.VirtClass;
import org.jvmx.translator.exec.Block;
import org.jvmx.translator.exec.Isa;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Writes the hidden class of one {@link Region}: a {@code CompiledCode} whose {@code run}
 * method holds every block of the region, each behind a label.
 *
 * <p>Shape of {@code run(Cpu)}:
 * <ul>
 * <li>Prologue: {@code cpu.gpr}, {@code cpu.flags}, the budget, {@code stopAt} and (when
 * memory is accessed inline) the soft TLB arrays go to locals; so do the guest registers the
 * inlined instructions use (the set {@link #cached}). Locals always hold the current value of
 * a cached register; {@code cpu.gpr} is brought up to date before a semantics call (only the
 * registers written since the last write-back) and at every exit.
 * <li>Block entry: the block's instruction count comes off the local budget (added to
 * {@code stats.compiled} at the exit, minus what did not retire).
 * <li>Each instruction: inline bytecode ({@link InlineOps}) or the generic path: RIP = next,
 * {@code semantics[k].execute(cpu, insns[k])} (class-data constants), reload the cached
 * registers, leave if the instruction wrote into code.
 * <li>Block exit: to a block of the region (a GOTO, after the budget, stopAt, stop-request
 * and block-validity checks) or out of the method with RIP set.
 * <li>Exceptions (DESIGN.md, "Precise exceptions"): every instruction that may throw has its
 * own exception-table range; its stub pushes the instruction's address and how many
 * instructions of the block did not retire, and jumps to a shared handler that writes the
 * locals back, sets RIP, corrects the counters and rethrows.
 * </ul>
 */
final class RegionEmitter {
    // Local variable slots of run(Cpu).
    static final int CPU_L = 1, GPR = 2, FLG = 3, LEFT = 4, STOP = 6, TAGS = 8, ADDENDS = 9, SEGS = 10, USER = 11,
            ADDR = 12, VAL = 14, SLOT = 16, TMP_I = 17, EX = 18, TMP_L = 19, VAL2 = 21, REG0 = 24, EA = 56, HIT = 58, FA = 60, FB = 62, FR = 64;

    final Region region;
    final boolean inline;
    MethodVisitor mv;
    /** The hidden class's class data: blocks, instructions and semantics, referenced by index. */
    final List<Object> data = new ArrayList<>();
    private final Map<Object, Integer> dataIndex = new IdentityHashMap<>();
    /** GPRs held in locals (bit g). */
    int cached;
    /** Cached GPRs whose local is newer than {@code cpu.gpr} (statically tracked inside a block). */
    int dirty;
    boolean usesMemory;
    private Label[] blockLabels;
    /** Bytecode offset at the end of each block's code, and the method's code size. */
    int[] blockEnd;
    int codeSize;
    private final Label exitConst = new Label(), exitDyn = new Label(), exitMid = new Label();
    private final Label faultInline = new Label(), faultGeneric = new Label(), leave = new Label();
    private final Map<Long, Label> exitTo = new HashMap<>();
    private final List<Runnable> stubs = new ArrayList<>();
    /** Counts of what was emitted, for statistics and tests. */
    int inlined, generic, fused, deadFlags;
    /** Condition of the Jcc the instruction being emitted is fused with, or -1 (see InlineOps.fusible). */
    int fuseCc = -1;
    /** The instruction being emitted need not record its flags (see InlineOps.flagsDead). */
    boolean flagsDead;
    private Instruction fusedWith;

    // Position while emitting.
    int blockIndex;
    Block block;
    int k;

    RegionEmitter(Region region, boolean inline) {
        this.region = region;
        this.inline = inline;
    }

    /**
     * The class file, or null when run() would exceed {@code limit} bytes of bytecode; sets
     * {@link #codeSize} and {@link #blockEnd} (MAX_VALUE for blocks not emitted).
     */
    byte[] emit(String className, int limit) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                // Merged reference types in run() are always identical, except exception
                // types at handlers, which are never merged with anything else.
                return a.equals(b) ? a : "java/lang/Object";
            }
        };
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, "java/lang/Object", new String[] {COMPILED});
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        mv = cw.visitMethod(ACC_PUBLIC, "run", "(" + CPU_D + ")V", null, null);
        mv.visitCode();
        plan();
        prologue();
        blockLabels = new Label[region.size()];
        for (int b = 0; b < blockLabels.length; b++) blockLabels[b] = new Label();
        blockEnd = new int[region.size()];
        java.util.Arrays.fill(blockEnd, Integer.MAX_VALUE);
        for (blockIndex = 0; blockIndex < region.size(); blockIndex++) {
            block = region.blocks.get(blockIndex);
            emitBlock();
            blockEnd[blockIndex] = offset();
            if (blockEnd[blockIndex] > limit) {
                codeSize = blockEnd[blockIndex];
                return null; // too big: the caller cuts the region (the class is never finished)
            }
        }
        epilogue();
        for (int s = 0; s < stubs.size(); s++) stubs.get(s).run();
        Label end = new Label();
        mv.visitLabel(end);
        codeSize = end.getOffset();
        if (codeSize > limit) return null;
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private int offset() {
        Label l = new Label();
        mv.visitLabel(l);
        return l.getOffset();
    }

    /** Decides the cached registers from the instructions that will be inlined. */
    private void plan() {
        for (Block b : region.blocks) {
            for (Instruction i : b.insns) {
                if (!inlined(i)) continue;
                cached |= InlineOps.registers(i);
                // 32/16-bit memory operands go through CheckedAccess, not the TLB fast path.
                if (InlineOps.touchesMemory(i) && i.bitness() == 64) usesMemory = true;
            }
        }
    }

    /** Whether {@code i} is emitted inline (else it takes the generic path). */
    boolean inlined(Instruction i) {
        return inline && !i.isInvalid() && Isa.implemented(i.mnemonic()) && InlineOps.supports(i);
    }

    private void prologue() {
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "gpr", "[J");
        mv.visitVarInsn(ASTORE, GPR);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "flags", FLAGS_D);
        mv.visitVarInsn(ASTORE, FLG);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "budget", "J");
        mv.visitVarInsn(LSTORE, LEFT);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "stopAt", "J");
        mv.visitVarInsn(LSTORE, STOP);
        if (usesMemory) {
            // The TLB arrays are final fields of the vCPU's own TLB; the privilege cannot
            // change inside a region (instructions that change it are sensitive and end it).
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "memory", "L" + LINEAR + ";");
            mv.visitMethodInsn(INVOKEVIRTUAL, LINEAR, "tlb", "()L" + TLB + ";", false);
            mv.visitInsn(DUP);
            mv.visitFieldInsn(GETFIELD, TLB, "tags", "[J");
            mv.visitVarInsn(ASTORE, TAGS);
            mv.visitInsn(DUP);
            mv.visitFieldInsn(GETFIELD, TLB, "addends", "[J");
            mv.visitVarInsn(ASTORE, ADDENDS);
            mv.visitFieldInsn(GETFIELD, TLB, "segments", "[" + MSEG_D);
            mv.visitVarInsn(ASTORE, SEGS);
            // SoftTlb.slot: table = kind * 2 + user, entry = table << BITS | page index.
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "user", "Z");
            iconst(org.jvmx.translator.mem.SoftTlb.BITS);
            mv.visitInsn(ISHL);
            mv.visitVarInsn(ISTORE, USER);
        }
        for (int g = 0; g < 16; g++) {
            if ((cached & 1 << g) == 0) continue;
            mv.visitVarInsn(ALOAD, GPR);
            iconst(g);
            mv.visitInsn(LALOAD);
            mv.visitVarInsn(LSTORE, REG0 + 2 * g);
        }
        // stopAt inside the entry block (the run loop already left if it is the start): step through it.
        Label compiled = new Label(), step = new Label();
        stopInside(region.blocks.get(0), step);
        mv.visitJumpInsn(GOTO, compiled);
        mv.visitLabel(step);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitLdcInsn(constant(region.blocks.get(0), "L" + BLOCK + ";"));
        mv.visitMethodInsn(INVOKESTATIC, "org/jvmx/translator/jit/StepThrough", "run", "(" + CPU_D + "L" + BLOCK + ";)V", false);
        mv.visitInsn(RETURN);
        mv.visitLabel(compiled);
    }

    private void emitBlock() {
        mv.visitLabel(blockLabels[blockIndex]);
        int n = block.size();
        mv.visitVarInsn(LLOAD, LEFT);
        lconst(n);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LSTORE, LEFT);
        dirty = cached; // unknown on entry: assume every cached register is newer than cpu.gpr
        fusedWith = null;
        for (k = 0; k < n; k++) {
            Instruction i = block.insns[k];
            boolean last = k == n - 1;
            if (inlined(i) && InlineOps.isBranch(i)) {
                inlined++;
                branch(i);
                return;
            }
            if (inlined(i)) {
                inlined++;
                fuseCc = -1;
                if (k == n - 2 && inlined(block.insns[n - 1])) {
                    int cc = InlineOps.condition(block.insns[n - 1].mnemonic());
                    if (cc >= 0 && InlineOps.fusible(i, cc)) fuseCc = cc;
                }
                flagsDead = fuseCc < 0 && InlineOps.flagsDead(this, block.insns, k);
                if (flagsDead) deadFlags++;
                InlineOps.emit(this, i);
                flagsDead = false;
                fusedWith = fuseCc >= 0 ? i : null;
                fuseCc = -1;
            } else {
                generic++;
                genericCall(i);
                if (last) {
                    afterGenericLast(i);
                    return;
                }
                codeWrittenCheck(i);
            }
        }
        // Last instruction inlined and not a branch: the block was cut (size or page end).
        transition(block.end);
    }

    // ---- the generic path

    private void genericCall(Instruction i) {
        spillDirty();
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
        lconst(i.nextIp());
        mv.visitFieldInsn(PUTFIELD, STATE, "rip", "J");
        Label start = new Label(), end = new Label(), onFault = new Label(), onLeave = new Label();
        mv.visitTryCatchBlock(start, end, onFault, FAULT);
        mv.visitTryCatchBlock(start, end, onLeave, LEAVE);
        mv.visitLabel(start);
        mv.visitLdcInsn(constant(block.semantics[k], "L" + SEMANTICS + ";"));
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitLdcInsn(constant(i, "L" + INSN + ";"));
        mv.visitMethodInsn(INVOKEINTERFACE, SEMANTICS, "execute", "(" + CPU_D + "L" + INSN + ";)V", true);
        mv.visitLabel(end);
        long ip = i.ip();
        int unretired = block.size() - k;
        stubs.add(() -> handlerStub(onFault, ip, unretired, faultGeneric));
        stubs.add(() -> handlerStub(onLeave, ip, unretired, leave));
        if (i.virtClass() != VirtClass.INNOCUOUS) {
            // Cpu.leave: a VM exit without an exception; the instruction did not execute and
            // changed nothing, so the locals equal cpu.gpr and the exit writes them back unchanged.
            Label go = new Label();
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "pendingLeave", "L" + EXIT + ";");
            mv.visitJumpInsn(IFNULL, go);
            lconst(ip);
            iconst(unretired);
            mv.visitJumpInsn(GOTO, exitMid);
            mv.visitLabel(go);
        }
        reloadAll();
        if (setsInterruptFlag(i)) {
            // Cpu.watchInterruptFlag: after an instruction that set IF, leave with RIP as it left it.
            Label go = new Label();
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "interruptFlagRaised", "I");
            mv.visitJumpInsn(IFEQ, go);
            iconst(unretired - 1);
            mv.visitVarInsn(ISTORE, TMP_I);
            giveBack();
            mv.visitJumpInsn(GOTO, exitDyn);
            mv.visitLabel(go);
        }
    }

    /** STI, POPF and IRET may set RFLAGS.IF, which a monitor watching for an interrupt window must see at once. */
    private static boolean setsInterruptFlag(Instruction i) {
        return switch (i.mnemonic()) {
            case STI, POPF, POPFQ, IRET, IRETD, IRETQ -> true;
            default -> false;
        };
    }

    /** After the block's last instruction ran through its semantics: follow RIP. */
    private void afterGenericLast(Instruction i) {
        if (i.bitness() != 64 && i.mnemonic() == Mnemonic.RET) {
            legacyReturn();
            return;
        }
        long[] succ = Region.successors(block);
        if (succ.length == 0) {
            mv.visitJumpInsn(GOTO, exitDyn);
            return;
        }
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "codeWritten", "Z");
        mv.visitJumpInsn(IFNE, exitDyn);
        for (long s : succ) {
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
            mv.visitFieldInsn(GETFIELD, STATE, "rip", "J");
            lconst(s);
            mv.visitInsn(LCMP);
            Label no = new Label();
            mv.visitJumpInsn(IFNE, no);
            transition(s);
            mv.visitLabel(no);
        }
        mv.visitJumpInsn(GOTO, exitDyn);
    }

    /**
     * After a RET of 32- or 16-bit code (run by its semantics: the stack is mode-dependent):
     * a return site of the region stays inside, as for the inline RET of 64-bit code.
     */
    private void legacyReturn() {
        List<Long> sites = region.returnSites();
        for (int s = 0; s < Math.min(4, sites.size()); s++) {
            Label no = new Label();
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
            mv.visitFieldInsn(GETFIELD, STATE, "rip", "J");
            lconst(sites.get(s));
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFNE, no);
            transition(sites.get(s));
            mv.visitLabel(no);
        }
        mv.visitJumpInsn(GOTO, exitDyn);
    }

    /** Leaves after an instruction that wrote into a page holding code (its block may be gone). */
    void codeWrittenCheck(Instruction i) {
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "codeWritten", "Z");
        Label stub = new Label();
        mv.visitJumpInsn(IFNE, stub);
        long next = i.nextIp();
        int unretired = block.size() - k - 1;
        stubs.add(() -> {
            mv.visitLabel(stub);
            lconst(next);
            iconst(unretired);
            mv.visitJumpInsn(GOTO, exitMid);
        });
    }

    // ---- inline branches

    private void branch(Instruction i) {
        if (i.bitness() != 64) {
            legacyBranch(i);
            return;
        }
        Mnemonic m = i.mnemonic();
        int cc = InlineOps.condition(m);
        if (cc >= 0) {
            Label notTaken = new Label();
            if (fusedWith != null) {
                fused++;
                Label taken = new Label();
                InlineOps.fusedJump(this, fusedWith, cc, taken);
                mv.visitJumpInsn(GOTO, notTaken);
                mv.visitLabel(taken);
            } else {
                mv.visitVarInsn(ALOAD, FLG);
                iconst(cc);
                mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, "condition", "(I)Z", false);
                mv.visitJumpInsn(IFEQ, notTaken);
            }
            transition(i.branchTarget());
            mv.visitLabel(notTaken);
            transition(i.nextIp());
        } else if (m == Mnemonic.JMP) {
            transition(i.branchTarget());
        } else if (m == Mnemonic.CALL) {
            Label start = guardStart();
            // push the return address: the write first (it may fault), then RSP
            lconst(i.nextIp());
            mv.visitVarInsn(LSTORE, VAL);
            loadReg(4);
            lconst(8);
            mv.visitInsn(LSUB);
            mv.visitInsn(DUP2);
            mv.visitVarInsn(LSTORE, VAL2);
            MemoryPath.write(this, 8, true);
            mv.visitVarInsn(LLOAD, VAL2);
            storeReg(4);
            guardEnd(start, i);
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "codeWritten", "Z");
            Label exit = exitTo(i.branchTarget());
            mv.visitJumpInsn(IFNE, exit);
            transition(i.branchTarget());
        } else { // RET
            Label start = guardStart();
            loadReg(4);
            MemoryPath.read(this, 8, true);
            mv.visitInsn(DUP2);
            mv.visitVarInsn(LSTORE, TMP_L);
            // a non-canonical return address is #GP(0) on the RET, before RSP changes
            mv.visitInsn(DUP2);
            iconst(16);
            mv.visitInsn(LSHL);
            iconst(16);
            mv.visitInsn(LSHR);
            mv.visitInsn(LCMP);
            Label canonical = new Label();
            mv.visitJumpInsn(IFEQ, canonical);
            mv.visitInsn(ICONST_0);
            mv.visitMethodInsn(INVOKESTATIC, FAULT, "generalProtection", "(I)L" + FAULT + ";", false);
            mv.visitInsn(ATHROW);
            mv.visitLabel(canonical);
            loadReg(4);
            lconst(8);
            mv.visitInsn(LADD);
            storeReg(4);
            guardEnd(start, i);
            // The return address is dynamic: a return site of the region stays inside (a few
            // compares), anything else leaves with it.
            List<Long> sites = region.returnSites();
            for (int s = 0; s < Math.min(4, sites.size()); s++) {
                Label no = new Label();
                mv.visitVarInsn(LLOAD, TMP_L);
                lconst(sites.get(s));
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFNE, no);
                transition(sites.get(s));
                mv.visitLabel(no);
            }
            mv.visitVarInsn(LLOAD, TMP_L);
            mv.visitJumpInsn(GOTO, exitConst);
        }
    }

    /**
     * A direct JMP/Jcc in 32- or 16-bit code: the condition is tested inline (fused with the
     * compare when possible), the fall-through is a plain transition, and a taken branch goes
     * to the target the decoder computed (wrapped at the operand size) when it lies within the
     * CS limit; otherwise it runs the instruction's own semantics, which set EIP by the
     * interpreter's rules or fault on the branch itself (SDM Vol. 3A, 6.15, #GP), and control
     * stays in the region only when EIP is that target.
     */
    private void legacyBranch(Instruction i) {
        int cc = InlineOps.condition(i.mnemonic());
        if (cc < 0) { // JMP rel
            takeLegacyBranch(i);
            return;
        }
        Label notTaken = new Label();
        if (fusedWith != null) {
            fused++;
            Label taken = new Label();
            InlineOps.fusedJump(this, fusedWith, cc, taken);
            mv.visitJumpInsn(GOTO, notTaken);
            mv.visitLabel(taken);
        } else {
            mv.visitVarInsn(ALOAD, FLG);
            iconst(cc);
            mv.visitMethodInsn(INVOKEVIRTUAL, FLAGS, "condition", "(I)Z", false);
            mv.visitJumpInsn(IFEQ, notTaken);
        }
        takeLegacyBranch(i);
        mv.visitLabel(notTaken);
        transition(i.nextIp());
    }

    /**
     * The taken side of {@link #legacyBranch}. A target within the CS limit (code segments are
     * never expand-down, SDM Vol. 3A, 5.3) is where the semantics would go, so control passes
     * there directly; any other target runs the semantics (which read only the flags), which
     * raise the fault or set EIP by their rules, and EIP is followed.
     */
    private void takeLegacyBranch(Instruction i) {
        long target = i.branchTarget();
        Label slow = new Label();
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
        mv.visitFieldInsn(GETFIELD, STATE, "cs", SEG_D);
        mv.visitMethodInsn(INVOKEVIRTUAL, SEG, "limitUnsigned", "()J", false);
        lconst(target);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLT, slow);
        transition(target);
        mv.visitLabel(slow);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
        lconst(i.nextIp());
        mv.visitFieldInsn(PUTFIELD, STATE, "rip", "J");
        Label start = guardStart();
        mv.visitLdcInsn(constant(block.semantics[k], "L" + SEMANTICS + ";"));
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitLdcInsn(constant(i, "L" + INSN + ";"));
        mv.visitMethodInsn(INVOKEINTERFACE, SEMANTICS, "execute", "(" + CPU_D + "L" + INSN + ";)V", true);
        guardEnd(start, i);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
        mv.visitFieldInsn(GETFIELD, STATE, "rip", "J");
        lconst(target);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFNE, exitDyn);
        transition(target);
    }

    /** Control passes to the block at {@code target}: a GOTO inside the region, or an exit. */
    void transition(long target) {
        int j = region.indexOf(target);
        Label out = exitTo(target);
        if (j < 0) {
            mv.visitJumpInsn(GOTO, out);
            return;
        }
        mv.visitVarInsn(LLOAD, LEFT);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLE, out);
        stopInside(region.blocks.get(j), out);
        if (j <= blockIndex) {
            mv.visitVarInsn(ALOAD, CPU_L);
            mv.visitFieldInsn(GETFIELD, CPU, "stopRequested", "Z");
            mv.visitJumpInsn(IFNE, out);
        }
        // A write (this vCPU's earlier, or another's) may have invalidated the target.
        mv.visitLdcInsn(constant(region.blocks.get(j), "L" + BLOCK + ";"));
        mv.visitFieldInsn(GETFIELD, BLOCK, "valid", "Z");
        mv.visitJumpInsn(IFEQ, out);
        mv.visitJumpInsn(GOTO, blockLabels[j]);
    }

    /**
     * Jumps to {@code out} when stopAt lies in [start, end) of {@code b} (the interpreter stops
     * there, even mid-block): one unsigned compare, {@code stopAt - start <u length}.
     */
    private void stopInside(Block b, Label out) {
        mv.visitVarInsn(LLOAD, STOP);
        lconst(b.start + Long.MIN_VALUE);
        mv.visitInsn(LSUB);
        lconst(Long.MIN_VALUE + (b.end - b.start));
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLT, out);
    }

    private Label exitTo(long target) {
        return exitTo.computeIfAbsent(target, t -> {
            Label l = new Label();
            stubs.add(() -> {
                mv.visitLabel(l);
                lconst(t);
                mv.visitJumpInsn(GOTO, exitConst);
            });
            return l;
        });
    }

    // ---- precise exceptions for inline code

    /** Starts the exception range of an inline instruction that may fault. */
    Label guardStart() {
        Label start = new Label();
        mv.visitLabel(start);
        return start;
    }

    /**
     * Ends it: a fault inside writes the locals back, RIP = the instruction, rethrows. Any
     * runtime exception is caught, not only a GuestFault: whatever a slow-path access throws
     * (a device model leaving the loop, say) finds the registers written back and RIP on the
     * instruction, which has not completed.
     */
    void guardEnd(Label start, Instruction i) {
        Label end = new Label(), handler = new Label();
        mv.visitLabel(end);
        mv.visitTryCatchBlock(start, end, handler, "java/lang/RuntimeException");
        long ip = i.ip();
        int unretired = block.size() - k;
        stubs.add(() -> handlerStub(handler, ip, unretired, faultInline));
    }

    private void handlerStub(Label at, long ip, int unretired, Label handler) {
        mv.visitLabel(at);
        lconst(ip);
        iconst(unretired);
        mv.visitJumpInsn(GOTO, handler);
    }

    // ---- exits and handlers

    private void epilogue() {
        // exitMid: [rip, unretired] leaving in the middle of a block
        mv.visitLabel(exitMid);
        mv.visitVarInsn(ISTORE, TMP_I);
        giveBack();
        // exitConst: [rip]
        mv.visitLabel(exitConst);
        mv.visitVarInsn(LSTORE, TMP_L);
        setRip();
        // exitDyn: RIP already set
        mv.visitLabel(exitDyn);
        writeBackAll();
        flushCounters();
        mv.visitInsn(RETURN);

        // faultInline: [RuntimeException, ip, unretired]
        mv.visitLabel(faultInline);
        mv.visitVarInsn(ISTORE, TMP_I);
        mv.visitVarInsn(LSTORE, TMP_L);
        mv.visitVarInsn(ASTORE, EX);
        giveBack();
        setRip();
        writeBackAll();
        flushCounters();
        mv.visitVarInsn(ALOAD, EX);
        mv.visitInsn(ATHROW);

        // faultGeneric: cpu.gpr is current (written back before the call; a REP string
        // instruction may have updated RCX/RSI/RDI before faulting), so no write-back.
        mv.visitLabel(faultGeneric);
        mv.visitVarInsn(ISTORE, TMP_I);
        mv.visitVarInsn(LSTORE, TMP_L);
        mv.visitVarInsn(ASTORE, EX);
        giveBack();
        setRip();
        flushCounters();
        mv.visitVarInsn(ALOAD, EX);
        mv.visitInsn(ATHROW);

        // leave: a LeaveRequest; completed: RIP stays after the instruction (set before the call)
        mv.visitLabel(leave);
        mv.visitVarInsn(ISTORE, TMP_I);
        mv.visitVarInsn(LSTORE, TMP_L);
        mv.visitVarInsn(ASTORE, EX);
        mv.visitVarInsn(ALOAD, EX);
        mv.visitFieldInsn(GETFIELD, LEAVE, "completed", "Z");
        Label notDone = new Label(), counted = new Label();
        mv.visitJumpInsn(IFEQ, notDone);
        mv.visitIincInsn(TMP_I, -1);
        mv.visitJumpInsn(GOTO, counted);
        mv.visitLabel(notDone);
        setRip();
        mv.visitLabel(counted);
        giveBack();
        flushCounters();
        mv.visitVarInsn(ALOAD, EX);
        mv.visitInsn(ATHROW);
    }

    /** left += TMP_I: instructions counted at block entry that did not retire. */
    private void giveBack() {
        mv.visitVarInsn(LLOAD, LEFT);
        mv.visitVarInsn(ILOAD, TMP_I);
        mv.visitInsn(I2L);
        mv.visitInsn(LADD);
        mv.visitVarInsn(LSTORE, LEFT);
    }

    private void setRip() {
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "state", STATE_D);
        mv.visitVarInsn(LLOAD, TMP_L);
        mv.visitFieldInsn(PUTFIELD, STATE, "rip", "J");
    }

    /** stats.compiled += budget - left; budget = left. */
    private void flushCounters() {
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "stats", STATS_D);
        mv.visitInsn(DUP);
        mv.visitFieldInsn(GETFIELD, STATS, "compiled", "J");
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitFieldInsn(GETFIELD, CPU, "budget", "J");
        mv.visitVarInsn(LLOAD, LEFT);
        mv.visitInsn(LSUB);
        mv.visitInsn(LADD);
        mv.visitFieldInsn(PUTFIELD, STATS, "compiled", "J");
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitVarInsn(LLOAD, LEFT);
        mv.visitFieldInsn(PUTFIELD, CPU, "budget", "J");
    }

    // ---- guest registers in locals

    private void writeBackAll() {
        for (int g = 0; g < 16; g++) if ((cached & 1 << g) != 0) writeBack(g);
    }

    /** Brings the registers of {@code mask} that are newer in their locals up to date in {@code cpu.gpr}. */
    void spill(int mask) {
        int stale = dirty & mask;
        for (int g = 0; g < 16; g++) if ((stale & 1 << g) != 0) writeBack(g);
        dirty &= ~stale;
    }

    private void spillDirty() {
        for (int g = 0; g < 16; g++) if ((dirty & 1 << g) != 0) writeBack(g);
        dirty = 0;
    }

    private void writeBack(int g) {
        mv.visitVarInsn(ALOAD, GPR);
        iconst(g);
        mv.visitVarInsn(LLOAD, REG0 + 2 * g);
        mv.visitInsn(LASTORE);
    }

    private void reloadAll() {
        for (int g = 0; g < 16; g++) {
            if ((cached & 1 << g) == 0) continue;
            mv.visitVarInsn(ALOAD, GPR);
            iconst(g);
            mv.visitInsn(LALOAD);
            mv.visitVarInsn(LSTORE, REG0 + 2 * g);
        }
    }

    /** Pushes the full 64-bit GPR {@code g}. */
    void loadReg(int g) {
        mv.visitVarInsn(LLOAD, REG0 + 2 * g);
    }

    /** Pops a long into the full 64-bit GPR {@code g}. */
    void storeReg(int g) {
        mv.visitVarInsn(LSTORE, REG0 + 2 * g);
        dirty |= 1 << g;
    }

    // ---- constants

    ConstantDynamic constant(Object o, String desc) {
        Integer at = dataIndex.get(o);
        if (at == null) {
            at = data.size();
            data.add(o);
            dataIndex.put(o, at);
        }
        return new ConstantDynamic("_", desc, CLASS_DATA_AT, at);
    }

    void iconst(int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }

    void lconst(long v) {
        if (v == 0) mv.visitInsn(LCONST_0);
        else if (v == 1) mv.visitInsn(LCONST_1);
        else mv.visitLdcInsn(v);
    }
}

package org.jvmx.translator.jit;

import static org.jvmx.translator.jit.Names.*;
import static org.jvmx.translator.jit.RegionEmitter.*;
import static org.objectweb.asm.Opcodes.*;

import org.jvmx.translator.mem.SoftTlb;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Guest memory accesses in generated code (DESIGN.md, "Memory fast path inline"): the soft
 * TLB's fast path written out as bytecode (see the {@link SoftTlb} javadoc), RAM accessed with
 * the same acquire/release accessors the interpreter uses ({@code PhysicalMemory.ramRead} /
 * {@code ramWrite}); misses, page-crossing accesses, MMIO and pages holding code go through
 * {@code Cpu.read}/{@code write} (and their SS forms), which check canonicality and walk.
 */
final class MemoryPath {
    private MemoryPath() {
    }

    /** [addr] -> [value]: a load of {@code bytes} zero-extended. */
    static void read(RegionEmitter e, int bytes, boolean stack) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(LSTORE, ADDR);
        Label miss = new Label(), done = new Label();
        tlbCheck(e, 0, bytes, miss);
        hostLocation(mv);
        e.iconst(bytes);
        mv.visitMethodInsn(INVOKESTATIC, PHYS, "ramRead", "(" + MSEG_D + "JI)J", false);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(miss);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitVarInsn(LLOAD, ADDR);
        e.iconst(bytes);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, stack ? "readStack" : "read", "(JI)J", false);
        mv.visitLabel(done);
    }

    /** [addr] -> []: stores the low {@code bytes} of local VAL. */
    static void write(RegionEmitter e, int bytes, boolean stack) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(LSTORE, ADDR);
        Label miss = new Label(), done = new Label();
        tlbCheck(e, 2 << SoftTlb.BITS, bytes, miss);
        storeHit(e, bytes);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(miss);
        storeMiss(e, bytes, stack);
        mv.visitLabel(done);
    }

    /** [] -> [segment, offset]: where the TLB entry in SLOT puts linear ADDR in host RAM. */
    private static void hostLocation(MethodVisitor mv) {
        mv.visitVarInsn(ALOAD, SEGS);
        mv.visitVarInsn(ILOAD, SLOT);
        mv.visitInsn(AALOAD);
        mv.visitVarInsn(LLOAD, ADDR);
        mv.visitVarInsn(ALOAD, ADDENDS);
        mv.visitVarInsn(ILOAD, SLOT);
        mv.visitInsn(LALOAD);
        mv.visitInsn(LADD);
    }

    /** Stores the low {@code bytes} of VAL at ADDR through the TLB entry in SLOT. */
    private static void storeHit(RegionEmitter e, int bytes) {
        MethodVisitor mv = e.mv;
        hostLocation(mv);
        e.iconst(bytes);
        mv.visitVarInsn(LLOAD, VAL);
        mv.visitMethodInsn(INVOKESTATIC, PHYS, "ramWrite", "(" + MSEG_D + "JIJ)V", false);
    }

    /** Stores the low {@code bytes} of VAL at ADDR through the vCPU's slow path (checks, faults, MMIO, code pages). */
    private static void storeMiss(RegionEmitter e, int bytes, boolean stack) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitVarInsn(LLOAD, ADDR);
        e.iconst(bytes);
        mv.visitVarInsn(LLOAD, VAL);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, stack ? "writeStack" : "write", "(JIJ)V", false);
    }

    /**
     * [addr] -> [old value], first half of a read-modify-write of {@code bytes}: looked up in
     * the write table (a write entry maps RAM the guest may also read); on a miss the write is
     * probed first, as the semantics do, so a fault comes before any flag is recorded (SDM Vol.
     * 3A, 6.6). HIT remembers the path for {@link #rmwWrite}.
     */
    static void rmwRead(RegionEmitter e, int bytes, boolean stack) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(LSTORE, ADDR);
        Label miss = new Label(), done = new Label();
        tlbCheck(e, 2 << SoftTlb.BITS, bytes, miss);
        mv.visitInsn(ICONST_1);
        mv.visitVarInsn(ISTORE, HIT);
        hostLocation(mv);
        e.iconst(bytes);
        mv.visitMethodInsn(INVOKESTATIC, PHYS, "ramRead", "(" + MSEG_D + "JI)J", false);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(miss);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, HIT);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitVarInsn(LLOAD, ADDR);
        e.iconst(bytes);
        e.iconst(stack ? 1 : 0);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, "probeWrite", "(JIZ)V", false);
        mv.visitVarInsn(ALOAD, CPU_L);
        mv.visitVarInsn(LLOAD, ADDR);
        e.iconst(bytes);
        mv.visitMethodInsn(INVOKEVIRTUAL, CPU, stack ? "readStack" : "read", "(JI)J", false);
        mv.visitLabel(done);
    }

    /** Second half: stores VAL where {@link #rmwRead} read (ADDR, SLOT and HIT still hold). */
    static void rmwWrite(RegionEmitter e, int bytes, boolean stack) {
        MethodVisitor mv = e.mv;
        Label miss = new Label(), done = new Label();
        mv.visitVarInsn(ILOAD, HIT);
        mv.visitJumpInsn(IFEQ, miss);
        storeHit(e, bytes);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(miss);
        storeMiss(e, bytes, stack);
        mv.visitLabel(done);
    }

    /**
     * SLOT = table | page index; falls to {@code miss} unless the tag is the page of ADDR and
     * the access stays inside it. (A hit also proves the address canonical: only canonical
     * pages are ever filled.)
     */
    private static void tlbCheck(RegionEmitter e, int kindBase, int bytes, Label miss) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(ALOAD, TAGS);
        mv.visitVarInsn(LLOAD, ADDR);
        e.iconst(12);
        mv.visitInsn(LUSHR);
        mv.visitInsn(L2I);
        e.iconst(SoftTlb.ENTRIES - 1);
        mv.visitInsn(IAND);
        mv.visitVarInsn(ILOAD, USER);
        mv.visitInsn(IOR);
        if (kindBase != 0) {
            e.iconst(kindBase);
            mv.visitInsn(IOR);
        }
        mv.visitInsn(DUP);
        mv.visitVarInsn(ISTORE, SLOT);
        mv.visitInsn(LALOAD);
        mv.visitVarInsn(LLOAD, ADDR);
        e.lconst(~0xFFFL);
        mv.visitInsn(LAND);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFNE, miss);
        if (bytes > 1) {
            mv.visitVarInsn(LLOAD, ADDR);
            mv.visitInsn(L2I);
            e.iconst(0xFFF);
            mv.visitInsn(IAND);
            e.iconst(4096 - bytes);
            mv.visitJumpInsn(IF_ICMPGT, miss);
        }
    }
}

package org.jvmx.linux;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stack a new Linux process starts with, laid out as fs/exec.c and fs/binfmt_elf.c
 * (create_elf_tables) lay it out on x86-64 without randomization. From the top: an 8-byte
 * end marker, the executable's file name (AT_EXECFN), the environment strings, the argument
 * strings (argv[0] lowest); below them, 16-byte aligned, "x86_64" (AT_PLATFORM) and the 16
 * AT_RANDOM bytes; then, at a 16-byte aligned RSP: argc, argv[], NULL, envp[], NULL, auxv
 * pairs ending with AT_NULL (psABI 3.4.1, Figure 3.9).
 */
final class InitialStack {
    /** Auxiliary vector types (include/uapi/linux/auxvec.h, arch/x86/include/uapi/asm/auxvec.h). */
    static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
            AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31, AT_MINSIGSTKSZ = 51;

    private InitialStack() {
    }

    /** What the auxiliary vector says beyond the stack's own addresses. */
    record Aux(long phdr, long phent, long phnum, long base, long entry, long hwcap, long uid, long gid,
               long minSigStackSize, byte[] random) {
    }

    /** Writes the stack below {@code top} into {@code mem}; returns the initial RSP. */
    static long build(UserMemory mem, long top, String execfn, List<String> argv, List<String> envp, Aux aux) {
        long p = top - 8;
        mem.writeLong(p, 0);
        p = putString(mem, p, execfn);
        long execfnAt = p;
        long[] envAt = new long[envp.size()];
        for (int i = envp.size() - 1; i >= 0; i--) envAt[i] = p = putString(mem, p, envp.get(i));
        long[] argAt = new long[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) argAt[i] = p = putString(mem, p, argv.get(i));
        p &= ~0xFL;
        p = putString(mem, p, "x86_64");
        long platformAt = p;
        p -= 16;
        mem.write(p, aux.random());
        long randomAt = p;

        List<long[]> auxv = new ArrayList<>();
        auxv.add(new long[] {AT_MINSIGSTKSZ, aux.minSigStackSize()});
        auxv.add(new long[] {AT_HWCAP, aux.hwcap()});
        auxv.add(new long[] {AT_PAGESZ, 4096});
        auxv.add(new long[] {AT_CLKTCK, 100});
        auxv.add(new long[] {AT_PHDR, aux.phdr()});
        auxv.add(new long[] {AT_PHENT, aux.phent()});
        auxv.add(new long[] {AT_PHNUM, aux.phnum()});
        auxv.add(new long[] {AT_BASE, aux.base()});
        auxv.add(new long[] {AT_FLAGS, 0});
        auxv.add(new long[] {AT_ENTRY, aux.entry()});
        auxv.add(new long[] {AT_UID, aux.uid()});
        auxv.add(new long[] {AT_EUID, aux.uid()});
        auxv.add(new long[] {AT_GID, aux.gid()});
        auxv.add(new long[] {AT_EGID, aux.gid()});
        auxv.add(new long[] {AT_SECURE, 0});
        auxv.add(new long[] {AT_RANDOM, randomAt});
        auxv.add(new long[] {AT_HWCAP2, 0});
        auxv.add(new long[] {AT_EXECFN, execfnAt});
        auxv.add(new long[] {AT_PLATFORM, platformAt});
        auxv.add(new long[] {AT_NULL, 0});

        int words = 1 + argv.size() + 1 + envp.size() + 1 + 2 * auxv.size();
        long sp = (p - 8L * words) & ~0xFL; // STACK_ROUND: RSP is 16-byte aligned at the entry point
        ByteBuffer b = ByteBuffer.allocate(8 * words).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(argv.size());
        for (long a : argAt) b.putLong(a);
        b.putLong(0);
        for (long e : envAt) b.putLong(e);
        b.putLong(0);
        for (long[] a : auxv) b.putLong(a[0]).putLong(a[1]);
        mem.write(sp, b.array());
        return sp;
    }

    /** Stores a NUL-terminated string ending just below {@code p}; returns its address. */
    private static long putString(UserMemory mem, long p, String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        byte[] bytes = out.toByteArray();
        p -= bytes.length;
        mem.write(p, bytes);
        return p;
    }
}

package org.jvmx.linux;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.jvmx.monitor.loader.ElfException;
import org.jvmx.monitor.loader.ElfFile;
import org.jvmx.monitor.loader.ElfSegment;

/**
 * Loads an ELF64 x86-64 program into an {@link AddressSpace} as Linux's binfmt_elf does
 * without address-space randomization: ET_EXEC at its addresses, ET_DYN (PIE, static-PIE) at
 * {@link #PIE_BASE}, the PT_INTERP interpreter (ld.so) top-down in the mmap area, each
 * PT_LOAD segment an area of its own protection whose pages come from the file on first
 * touch (the bss zero); the stack with PT_GNU_STACK's protection, the initial stack
 * ({@link InitialStack}) and the program break after the main program's highest segment.
 */
public final class ProcessLoader {
    /** ELF_ET_DYN_BASE on x86-64 without randomization: where a PIE's first page goes. */
    public static final long PIE_BASE = 0x5555_5555_4000L;
    /** AT_MINSIGSTKSZ: the minimum signal stack (MINSIGSTKSZ) — the signal frame of the SSE state fits. */
    public static final long MIN_SIGSTACK = 2048;

    /** A program that cannot be loaded: one line naming the file and the problem. */
    public static final class LoadException extends Exception {
        private static final long serialVersionUID = 1L;

        public LoadException(String message) {
            super(message, null, false, false);
        }
    }

    /** The loaded process's start: entry RIP, initial RSP, the initial program break, and what was mapped. */
    public record Loaded(long rip, long rsp, long brk, long entry, long base, String interpreter) {
    }

    /** An image placed in memory: its load bias, the end of its highest segment, its PT_INTERP, its phdr address. */
    private record Image(long bias, long end, String interp, long phdr, int phnum, boolean execStack) {
    }

    private ProcessLoader() {
    }

    /**
     * Loads the program at {@code path} (its interpreter looked up under {@code root}) and builds
     * its initial stack with {@code argv}, {@code envp} and AT_HWCAP = {@code hwcap}.
     */
    public static Loaded load(AddressSpace space, Path path, Path root, List<String> argv, List<String> envp, long hwcap,
            long uid, long gid) throws LoadException {
        ElfFile exe = open(path);
        if (exe.type() != ElfFile.ET_EXEC && exe.type() != ElfFile.ET_DYN) {
            throw new LoadException(path + ": not an executable (ELF type " + exe.type() + ", expected ET_EXEC or ET_DYN)");
        }
        Image main = place(space, exe, exe.type() == ElfFile.ET_DYN ? PIE_BASE : 0, path.toString());
        long entry = main.bias + exe.entry();
        long rip = entry, base = 0;
        if (main.interp != null) {
            Path ip = root.resolve(main.interp.startsWith("/") ? main.interp.substring(1) : main.interp);
            ElfFile interp = open(ip);
            if (interp.type() != ElfFile.ET_DYN && interp.type() != ElfFile.ET_EXEC) {
                throw new LoadException(ip + ": interpreter is not ET_DYN or ET_EXEC");
            }
            Image li = place(space, interp, -1, main.interp);
            base = li.bias;
            rip = li.bias + interp.entry();
        }
        int stackProt = Vma.PROT_READ | Vma.PROT_WRITE | (main.execStack ? Vma.PROT_EXEC : 0);
        space.insert(new Vma(AddressSpace.STACK_TOP - AddressSpace.STACK_SIZE, AddressSpace.STACK_TOP, stackProt,
                Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS | Vma.MAP_GROWSDOWN, null, 0, 0, "[stack]"));
        byte[] random = new byte[16];
        // AT_RANDOM: deterministic bytes (runs are reproducible; glibc seeds its stack protector from them)
        long seed = 0x6A76_6D78_5F72_756EL;
        for (int i = 0; i < 16; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            random[i] = (byte) (seed >>> 56);
        }
        var aux = new InitialStack.Aux(main.phdr, 56, main.phnum, base, entry, hwcap, uid, gid, MIN_SIGSTACK, random);
        long rsp = InitialStack.build(space, AddressSpace.STACK_TOP, path.toString(),
                argv, envp, aux);
        return new Loaded(rip, rsp, AddressSpace.pageUp(main.end), entry, base, main.interp);
    }

    /** Reads and checks an ELF64 x86-64 file; every problem is one line. */
    static ElfFile open(Path path) throws LoadException {
        if (Files.isDirectory(path)) throw new LoadException(path + ": is a directory");
        ElfFile f;
        try {
            byte[] magic = new byte[4];
            try (var in = Files.newInputStream(path)) {
                int n = in.readNBytes(magic, 0, 4);
                if (n < 4 || magic[0] != 0x7F || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
                    throw new LoadException(path + ": not an ELF file (exec format error)");
                }
            }
            f = ElfFile.read(path);
        } catch (ElfException e) {
            throw new LoadException(e.getMessage());
        } catch (NoSuchFileException e) {
            throw new LoadException(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new LoadException(path + ": permission denied");
        } catch (IOException e) {
            throw new LoadException(path + ": cannot read: " + e.getMessage());
        }
        try {
            f.requireX86_64();
        } catch (ElfException e) {
            throw new LoadException(e.getMessage());
        }
        return f;
    }

    /**
     * Maps the PT_LOAD segments of {@code elf} at {@code bias} (-1: an ET_DYN image placed
     * top-down in the mmap area, as the kernel maps an interpreter).
     */
    private static Image place(AddressSpace space, ElfFile elf, long bias, String name) throws LoadException {
        long lo = Long.MAX_VALUE, hi = 0;
        ElfSegment first = null;
        String interp = null;
        boolean execStack = false;
        for (ElfSegment s : elf.segments()) {
            if (s.isLoad() && s.memsz() > 0) {
                if (first == null) first = s;
                lo = Math.min(lo, AddressSpace.pageDown(s.vaddr()));
                hi = Math.max(hi, s.vaddr() + s.memsz());
            } else if (s.type() == ElfSegment.PT_INTERP) {
                byte[] b = elf.contents(s).toArray(ValueLayout.JAVA_BYTE);
                int n = 0;
                while (n < b.length && b[n] != 0) n++;
                interp = new String(b, 0, n, StandardCharsets.UTF_8);
            } else if (s.type() == ElfSegment.PT_GNU_STACK) {
                execStack = s.isExecutable();
            }
        }
        if (first == null) throw new LoadException(elf.source() + ": no PT_LOAD segment");
        if (bias == -1) {
            long span = AddressSpace.pageUp(hi) - lo;
            long at = elf.type() == ElfFile.ET_DYN ? space.findFree(span, AddressSpace.MMAP_BASE) : lo;
            if (at < 0) throw new LoadException(elf.source() + ": no room for the interpreter");
            bias = at - lo;
        } else if (elf.type() == ElfFile.ET_DYN) {
            bias -= lo;
        }
        if (Long.compareUnsigned(bias + hi, AddressSpace.TASK_SIZE) > 0) {
            throw new LoadException(elf.source() + ": segments lie beyond user space");
        }
        ElfMapping file = new ElfMapping(elf.data());
        for (ElfSegment s : elf.segments()) {
            if (!s.isLoad() || s.memsz() == 0) continue;
            long va = bias + s.vaddr();
            long start = AddressSpace.pageDown(va), end = AddressSpace.pageUp(va + s.memsz());
            long lead = va - start;
            if (s.filesz() > 0 && s.offset() < lead) throw new LoadException(elf.source() + ": segment " + s.index()
                    + " is not congruent with its file offset modulo the page size");
            int prot = (s.isReadable() ? Vma.PROT_READ : 0) | (s.isWritable() ? Vma.PROT_WRITE : 0)
                    | (s.isExecutable() ? Vma.PROT_EXEC : 0);
            space.insert(new Vma(start, end, prot, Vma.MAP_PRIVATE, file, s.offset() - lead,
                    s.filesz() == 0 ? 0 : lead + s.filesz(), name));
        }
        long phoff = elf.data().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0x20);
        long phdr = bias + first.vaddr() - first.offset() + phoff;
        return new Image(bias, bias + hi, interp, phdr, elf.segments().size(), execStack);
    }
}

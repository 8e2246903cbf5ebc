package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.LoaderException.hex;
import static org.jvmx.monitor.loader.LoaderException.range;

import java.util.List;

/**
 * Plans the loading of an ELF executable's PT_LOAD segments at their physical addresses
 * (p_paddr), the way boot loaders load kernels (Multiboot 0.6.96, 3.1.3: "the boot loader loads
 * the image according to the ELF program headers"): each segment is claimed in the
 * {@link GuestLayout} (inside RAM, not overlapping another) and queued as a chunk, file bytes then
 * zeros up to p_memsz. The entry point e_entry is a virtual address; it is translated through the
 * segment that contains it (p_vaddr to p_paddr), so a kernel linked to run higher up but loaded
 * low starts at the physical copy of its entry code.
 */
final class ElfImages {
    private ElfImages() {
    }

    /**
     * Plans {@code image}; returns the physical entry point. {@code multiboot}: the image may be
     * ELF32 (EM_386) or ELF64 (EM_X86_64) and must lie below 4 GiB; otherwise it must be ELF64 x86-64.
     */
    static long plan(String source, byte[] image, GuestLayout layout, List<GuestWriter.Chunk> chunks, boolean multiboot)
            throws LoaderException {
        List<ElfSegment> segments;
        long entry;
        try {
            if (multiboot && Elf32File.isElf32(image)) {
                Elf32File f = Elf32File.parse(source, image);
                f.requireI386Executable();
                segments = f.segments();
                entry = f.entry();
            } else {
                ElfFile f = ElfFile.parse(source, image);
                f.requireX86_64();
                if (f.type() != ElfFile.ET_EXEC) {
                    throw new ElfException(source, 0x10, "not an executable (e_type " + f.type()
                            + ", expected 2 ET_EXEC): a kernel is loaded at fixed addresses, without relocation");
                }
                segments = f.segments();
                entry = f.entry();
            }
        } catch (ElfException e) {
            throw new LoaderException(e);
        }
        ElfSegment entrySegment = null;
        for (ElfSegment p : segments) {
            if (!p.isLoad() || p.memsz() == 0) continue;
            String where = "program header " + p.index() + " at offset " + hex(p.headerOffset());
            if (multiboot && Long.compareUnsigned(p.paddr() + p.memsz(), 0x1_0000_0000L) > 0) {
                throw new LoaderException(source, where + ": " + range(p.paddr(), p.paddr() + p.memsz())
                        + " extends past 4 GiB, which a 32-bit Multiboot kernel cannot reach");
            }
            layout.claim(p.paddr(), p.memsz(), "program header " + p.index(), where);
            chunks.add(new GuestWriter.Chunk(p.paddr(), image, p.offset(), p.filesz(), p.memsz()));
            if (entrySegment == null && Long.compareUnsigned(entry - p.vaddr(), p.memsz()) < 0) entrySegment = p;
        }
        if (entrySegment == null) {
            throw new LoaderException(source, "entry point " + hex(entry) + " is outside every loaded segment");
        }
        return entry - entrySegment.vaddr() + entrySegment.paddr();
    }
}

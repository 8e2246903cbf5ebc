package org.jvmx.monitor.loader;

/**
 * One ELF64 program header (System V ABI, "Program Header"). {@code offset}/{@code filesz} have been
 * checked against the file; for PT_LOAD, {@code filesz <= memsz} and the address/offset alignment.
 *
 * @param index        the header's index in the program header table
 * @param headerOffset file offset of this program header
 */
public record ElfSegment(int index, int type, int flags, long offset, long vaddr, long paddr, long filesz,
                         long memsz, long align, long headerOffset) {

    public static final int PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6,
            PT_TLS = 7, PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552;

    public static final int PF_X = 1, PF_W = 2, PF_R = 4;

    public boolean isLoad() {
        return type == PT_LOAD;
    }

    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    public boolean isWritable() {
        return (flags & PF_W) != 0;
    }

    public boolean isReadable() {
        return (flags & PF_R) != 0;
    }
}

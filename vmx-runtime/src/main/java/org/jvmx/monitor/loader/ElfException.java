package org.jvmx.monitor.loader;

import java.io.IOException;

/**
 * A malformed or unsupported ELF file. The message is one line that names the file, the file
 * offset of the offending structure (when there is one) and what is wrong with it, e.g.
 * {@code /tmp/x: section header 7 at offset 0x1e3a30: contents [0x1180, 0x183b63) extend past the end of the file (0x2000 bytes)}.
 */
public final class ElfException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;

    /** A problem at file offset {@code offset} (or -1 when no single offset applies). */
    public ElfException(String source, long offset, String problem) {
        super(offset < 0 ? source + ": " + problem : source + ": offset 0x" + Long.toHexString(offset) + ": " + problem);
        this.source = source;
        this.offset = offset;
    }

    /** The file (or other source) the ELF image came from. */
    public String source() {
        return source;
    }

    /** The file offset of the offending structure, or -1. */
    public long offset() {
        return offset;
    }
}

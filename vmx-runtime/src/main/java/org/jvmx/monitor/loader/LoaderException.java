package org.jvmx.monitor.loader;

import java.io.IOException;

/**
 * A kernel image or module that cannot be booted: malformed, unsupported, or not fitting in guest
 * RAM. The message is one line that starts with the file name and says what is wrong and where,
 * e.g. {@code kernel.elf: program header 2 at offset 0x74: [0x100000, 0x180000) overlaps program
 * header 1 [0x100000, 0x140000)}. The command line prints it and exits with status 2.
 */
public final class LoaderException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@code source: problem}. */
    public LoaderException(String source, String problem) {
        super(source + ": " + problem);
    }

    /** An ELF parse error; its message already names the file and the offset. */
    public LoaderException(ElfException cause) {
        super(cause.getMessage(), cause);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** {@code [start, end)} in hex, the form every loader message uses for address ranges. */
    static String range(long start, long end) {
        return "[" + hex(start) + ", " + hex(end) + ")";
    }
}

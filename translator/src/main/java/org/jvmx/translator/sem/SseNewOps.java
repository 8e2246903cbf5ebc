package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/**
 * SSSE3, the integer part of SSE4.1, SSE4.2 and CRC32: installs {@link Ssse3Ops},
 * {@link Sse41Ops}, {@link Sse41InsertExtract}, {@link Sse42Ops} and {@link Crc32Ops}.
 * (PEXTRW's SSE4.1 form is installed with the SSE2 group through
 * {@link Sse41InsertExtract#pextrwMem}.)
 */
public final class SseNewOps {
    private SseNewOps() {
    }

    public static void install(Isa.Installer in) {
        Ssse3Ops.install(in);
        Sse41Ops.install(in);
        Sse41InsertExtract.install(in);
        Sse42Ops.install(in);
        Crc32Ops.install(in);
    }
}

package org.jvmx.decoder;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The decode tables, generated at build time from {@code src/main/spec} (see TableGen) and
 * loaded once into flat arrays: the decoder's hot loop reads only primitive arrays.
 */
final class Tables {
    static final int SPACES = 15;
    static final int SP_LEGACY = 0, SP_VEX = 4, SP_EVEX = 7, SP_XOP = 12;

    /** MATCH[2f] = selector mask, MATCH[2f + 1] = selector value of form f. */
    static final int[] MATCH, MNEMONIC, ATTRS, OPS, OP_COUNT;
    static final int[] FLAGS_R, FLAGS_W, FLAGS_U, FLAGS_C, FLAGS_S, CPUID, SOURCE_LINE;
    static final short[] SOURCE_FILE;
    static final int[][] EXITS;
    static final String[] FILES;
    /**
     * SLOT[space << 8 | opcode] = dispatch base << 10 | key width << 6 | key low bit << 1 | ModRM
     * present; 0 = no form. The key, selector bits [low, low + width), indexes DISPATCH from the base.
     */
    static final int[] SLOT;
    /**
     * DISPATCH[base + key] = form << 9 | 1 when the key leaves one candidate, else first candidate
     * << 9 | candidate count << 1 (0: no form).
     */
    static final int[] DISPATCH;
    /** Form indexes, in spec order within each candidate list. */
    static final short[] CANDIDATES;

    static {
        try (InputStream raw = Tables.class.getResourceAsStream("decode-tables.bin")) {
            if (raw == null) throw new IllegalStateException("decode-tables.bin missing from the decoder jar");
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
            if (in.readInt() != 0x4a564d58 || in.readInt() != 1) throw new IllegalStateException("decode-tables.bin: bad header");
            FILES = new String[in.readInt()];
            for (int i = 0; i < FILES.length; i++) FILES[i] = in.readUTF();
            int n = in.readInt();
            MATCH = new int[2 * n]; MNEMONIC = new int[n]; ATTRS = new int[n];
            OPS = new int[n * 5]; OP_COUNT = new int[n];
            FLAGS_R = new int[n]; FLAGS_W = new int[n]; FLAGS_U = new int[n]; FLAGS_C = new int[n]; FLAGS_S = new int[n];
            CPUID = new int[n]; SOURCE_FILE = new short[n]; SOURCE_LINE = new int[n]; EXITS = new int[n][];
            for (int i = 0; i < n; i++) {
                MATCH[2 * i] = in.readInt();
                MATCH[2 * i + 1] = in.readInt();
                MNEMONIC[i] = in.readUnsignedShort();
                ATTRS[i] = in.readInt();
                int c = in.readUnsignedByte();
                OP_COUNT[i] = c;
                for (int k = 0; k < c; k++) OPS[i * 5 + k] = in.readInt();
                FLAGS_R[i] = in.readInt(); FLAGS_W[i] = in.readInt(); FLAGS_U[i] = in.readInt();
                FLAGS_C[i] = in.readInt(); FLAGS_S[i] = in.readInt();
                int e = in.readUnsignedByte();
                EXITS[i] = new int[e];
                for (int k = 0; k < e; k++) EXITS[i][k] = in.readUnsignedByte();
                CPUID[i] = in.readUnsignedShort() | in.readUnsignedShort() << 16;
                SOURCE_FILE[i] = in.readShort();
                SOURCE_LINE[i] = in.readUnsignedShort();
            }
            SLOT = new int[SPACES * 256];
            for (int s = 0; s < SPACES * 256; s++) SLOT[s] = in.readInt();
            DISPATCH = new int[in.readInt()];
            for (int i = 0; i < DISPATCH.length; i++) DISPATCH[i] = in.readInt();
            CANDIDATES = new short[in.readInt()];
            for (int i = 0; i < CANDIDATES.length; i++) CANDIDATES[i] = in.readShort();
        } catch (IOException e) {
            throw new UncheckedIOException("decode-tables.bin unreadable", e);
        }
    }

    private Tables() { }

    /** Number of instruction forms in the tables. */
    static int formCount() {
        return MNEMONIC.length;
    }
}

package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Instruction#copy()} stores every lazily derived field eagerly; the copy must answer
 * every accessor exactly as the original did, for fast-path and general-path instructions,
 * and must not change when the original is reused for the next decode.
 */
class InstructionCopyTest {
    static String describe(Instruction in) {
        StringBuilder b = new StringBuilder();
        b.append(in.ip()).append(' ').append(in.length()).append(' ').append(in.isInvalid()).append(' ')
                .append(in.mnemonic()).append(' ').append(in.operandSize()).append(' ').append(in.addressSize())
                .append(' ').append(in.prefixes()).append(' ').append(in.segmentPrefix()).append(' ')
                .append(in.memSegment()).append(' ').append(in.memBase()).append(' ').append(in.memIndex()).append(' ')
                .append(in.memScale()).append(' ').append(in.memDisplacement()).append(' ')
                .append(in.memDisplacementBytes()).append(' ').append(in.memBits()).append(' ')
                .append(in.isRipRelative()).append(' ').append(in.flowKind()).append(' ').append(in.flagsModified());
        for (int i = 0; i < in.operandCount(); i++) {
            b.append(" | ").append(in.operandKind(i)).append(' ').append(in.register(i)).append(' ')
                    .append(in.operandBits(i)).append(' ').append(in.immediate(i));
        }
        if (!in.isInvalid()) b.append(' ').append(Formatter.INTEL.format(in));
        return b.toString();
    }

    @Test
    void copyAnswersLikeTheOriginal() throws IOException {
        Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
        byte[] code = Files.exists(libc) ? Files.readAllBytes(libc) : new byte[0];
        byte[] random = new byte[200_000];
        new Random(3).nextBytes(random);
        int checked = 0;
        for (byte[] buf : new byte[][] {code, random}) {
            Decoder d = new Decoder();
            Instruction in = new Instruction(), next = new Instruction();
            int limit = Math.min(buf.length, 400_000);
            for (int off = 0; off < limit; ) {
                int n = d.decode(buf, off, limit, 0x1000 + off, in);
                Instruction copy = in.copy();
                String want = describe(in);
                assertEquals(want, describe(copy), "at offset " + off);
                // Reusing the original must leave the copy alone.
                d.decode(buf, Math.min(off + Math.max(n, 1), limit - 1), limit, 0, in);
                assertEquals(want, describe(copy), "after reuse, at offset " + off);
                off += Math.max(n, 1);
                checked++;
            }
        }
        assertTrue(checked > 50_000, "instructions checked: " + checked);
    }
}

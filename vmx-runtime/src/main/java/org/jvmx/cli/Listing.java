package org.jvmx.cli;

import java.io.IOException;
import java.io.Writer;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.Formatter;
import org.jvmx.decoder.Instruction;

/**
 * Writes a disassembly in the layout of {@code objdump -d -M intel} (binutils 2.40): per line the
 * address, a tab, up to 7 bytes as {@code "xx "} padded to 21 columns, a tab and the instruction;
 * the bytes of a longer instruction continue on following lines. An invalid byte prints as
 * {@code (bad)} and the listing resumes at the next byte, as objdump does.
 *
 * <p>Built for throughput (a libc is 2 MB of code): one reused {@link Instruction} and
 * {@link StringBuilder}, hex by table lookup, output in large chunks.
 */
final class Listing {
    private static final int BYTES_PER_LINE = 7;
    private static final int FLUSH_AT = 1 << 15;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Writer out;
    private final Decoder decoder;
    private final Instruction insn = new Instruction();
    private final StringBuilder sb = new StringBuilder(FLUSH_AT + 512);
    private char[] chunk = new char[FLUSH_AT + 512];

    Listing(Writer out) {
        this(out, 64);
    }

    /** A listing of code for {@code bitness} (16, 32 or 64-bit mode). */
    Listing(Writer out, int bitness) {
        this.out = out;
        this.decoder = Decoder.of(bitness);
    }

    /** {@code \nFILE:     file format FORMAT\n\n}. */
    void fileHeader(String file, String format) throws IOException {
        sb.append('\n').append(file).append(":     file format ").append(format).append("\n\n");
        drain();
    }

    /** Lists the code {@code code}, whose first byte is at address {@code base}. */
    void section(String name, byte[] code, long base) throws IOException {
        sb.append("\nDisassembly of section ").append(name).append(":\n\n");
        hex16(base);
        sb.append(" <").append(name).append(">:\n");
        int addrDigits = addressDigits(base + code.length);
        int pos = 0, limit = code.length;
        while (pos < limit) {
            long ip = base + pos;
            int len = decoder.decode(code, pos, limit, ip, insn);
            if (insn.isInvalid()) len = 1;
            int first = Math.min(len, BYTES_PER_LINE);
            address(ip, addrDigits);
            for (int i = 0; i < first; i++) byteHex(code[pos + i]);
            for (int i = first; i < BYTES_PER_LINE; i++) sb.append("   ");
            sb.append('\t');
            Formatter.INTEL.format(insn, sb);
            sb.append('\n');
            for (int done = first; done < len; ) {
                int n = Math.min(len - done, BYTES_PER_LINE);
                address(ip + done, addrDigits);
                for (int i = 0; i < n; i++) byteHex(code[pos + done + i]);
                sb.append('\n');
                done += n;
            }
            pos += len;
            if (sb.length() >= FLUSH_AT) drain();
        }
        drain();
    }

    void flush() throws IOException {
        drain();
        out.flush();
    }

    /**
     * objdump's address column width: the section's end address in 16 hex digits, minus its
     * leading zeros rounded down to a multiple of 4 after keeping one (binutils objdump.c,
     * disassemble_section: {@code skip_addr_chars = (skip_addr_chars - 1) & -4}).
     */
    static int addressDigits(long end) {
        int zeros = Long.numberOfLeadingZeros(end) / 4;
        if (zeros == 16) zeros = 15; // end address 0 still prints one digit
        int skip = zeros == 0 ? 0 : (zeros - 1) & -4;
        return 16 - skip;
    }

    /** The address right-aligned in {@code digits} columns, leading zeros as spaces, then {@code ":\t"}. */
    private void address(long a, int digits) {
        int sig = Math.max(1, 16 - Long.numberOfLeadingZeros(a) / 4);
        for (int i = sig; i < digits; i++) sb.append(' ');
        for (int i = sig - 1; i >= 0; i--) sb.append(HEX[(int) (a >>> (i * 4)) & 15]);
        sb.append(":\t");
    }

    private void hex16(long a) {
        for (int i = 15; i >= 0; i--) sb.append(HEX[(int) (a >>> (i * 4)) & 15]);
    }

    private void byteHex(byte b) {
        sb.append(HEX[(b >> 4) & 15]).append(HEX[b & 15]).append(' ');
    }

    private void drain() throws IOException {
        int n = sb.length();
        if (n == 0) return;
        if (chunk.length < n) chunk = new char[n];
        sb.getChars(0, n, chunk, 0);
        out.write(chunk, 0, n);
        sb.setLength(0);
    }
}

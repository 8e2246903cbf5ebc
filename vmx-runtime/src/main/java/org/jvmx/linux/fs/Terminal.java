package org.jvmx.linux.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The terminal settings the guest sees on a host-terminal stdio fd. The monitor does not change
 * the host terminal's modes: TCSETS* are remembered and TCGETS returns them, starting from the
 * settings of a fresh Linux pty (cooked mode, echo, 38400 baud, 8 bits), the kernel's
 * {@code struct termios} (asm-generic/termbits.h: four u32 flags, c_line, c_cc[19]; 36 bytes).
 */
public final class Terminal {
    public static final int TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404,
            TCSBRK = 0x5409, TCXONC = 0x540A, TCFLSH = 0x540B, TIOCSCTTY = 0x540E, TIOCGPGRP = 0x540F,
            TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541B,
            TIOCGSID = 0x5429, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451, TIOCGPTN = 0x80045430;

    public static final int TERMIOS_SIZE = 36, WINSIZE_SIZE = 8;

    private byte[] termios = defaultTermios();
    private short rows, cols;

    public Terminal() {
        rows = (short) envInt("LINES", 24);
        cols = (short) envInt("COLUMNS", 80);
    }

    private static int envInt(String name, int dflt) {
        try {
            String v = System.getenv(name);
            return v == null ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** A fresh pty's termios: ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN. */
    static byte[] defaultTermios() {
        ByteBuffer b = ByteBuffer.allocate(TERMIOS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0500).putInt(0x0005).putInt(0x00bf).putInt(0x8a3b).put((byte) 0);
        // c_cc: VINTR VQUIT VERASE VKILL VEOF VTIME VMIN VSWTC VSTART VSTOP VSUSP VEOL VREPRINT VDISCARD VWERASE VLNEXT VEOL2
        byte[] cc = {3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0};
        b.put(cc);
        return b.array();
    }

    public synchronized byte[] termios() {
        return termios.clone();
    }

    public synchronized void setTermios(byte[] t) {
        termios = t.clone();
    }

    /** struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel (u16 each). */
    public synchronized byte[] winsize() {
        return ByteBuffer.allocate(WINSIZE_SIZE).order(ByteOrder.LITTLE_ENDIAN).putShort(rows).putShort(cols)
                .putShort((short) 0).putShort((short) 0).array();
    }

    public synchronized void setWinsize(byte[] w) {
        ByteBuffer b = ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN);
        rows = b.getShort(0);
        cols = b.getShort(2);
    }
}

package org.jvmx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    record Result(int status, String out, String err) { }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, out, err);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Exit status 2, nothing on stdout, exactly one line on stderr starting with "jvmx: ". */
    static String assertUserError(Result r) {
        assertEquals(2, r.status(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertTrue(r.err().startsWith("jvmx: "), r.err());
        assertTrue(r.err().endsWith("\n"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        return r.err().strip();
    }

    @Test
    void version() {
        Result r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().matches("jvmx \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), r.out());
    }

    @Test
    void helpListsCommands() {
        for (String[] args : new String[][] {{}, {"help"}, {"--help"}}) {
            Result r = run(args);
            assertEquals(0, r.status());
            assertTrue(r.out().contains("disasm"), r.out());
        }
        Result r = run("disasm", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("usage: jvmx disasm FILE"), r.out());
        assertTrue(r.out().contains("--section NAME"), r.out());
        assertEquals(r.out(), run("help", "disasm").out());
    }

    @Test
    void unknownCommandOrFlag() {
        assertEquals("jvmx: unknown command 'frobnicate' (see 'jvmx help')", assertUserError(run("frobnicate")));
        assertEquals("jvmx: unknown option '--frob' (see 'jvmx --help')", assertUserError(run("--frob")));
        assertEquals("jvmx: disasm: unknown option '--frob' (see 'jvmx disasm --help')",
                assertUserError(run("disasm", "/bin/ls", "--frob")));
        assertEquals("jvmx: disasm: unknown option '-x' (see 'jvmx disasm --help')", assertUserError(run("disasm", "-x", "/bin/ls")));
        assertTrue(assertUserError(run("disasm", "/bin/ls", "--section")).contains("needs a value NAME"));
        assertTrue(assertUserError(run("disasm", "/bin/ls", "--raw=yes")).contains("takes no value"));
        assertTrue(assertUserError(run("disasm")).contains("missing FILE"));
        assertTrue(assertUserError(run("disasm", "/bin/ls", "/bin/cat")).contains("unexpected argument '/bin/cat'"));
        assertTrue(assertUserError(run("disasm", "/bin/ls", "--base", "0x1000")).contains("--base needs --raw"));
        assertTrue(assertUserError(run("disasm", "/bin/ls", "--raw", "--base", "zz")).contains("'zz' is not a 64-bit hexadecimal address"));
        assertTrue(assertUserError(run("help", "nope")).contains("unknown command 'nope'"));
    }

    @Test
    void missingFile() {
        assertEquals("jvmx: /no/such/file: no such file", assertUserError(run("disasm", "/no/such/file")));
    }

    @Test
    void directory(@TempDir Path dir) {
        assertEquals("jvmx: " + dir + ": is a directory", assertUserError(run("disasm", dir.toString())));
    }

    @Test
    void notElf(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("script.sh");
        Files.writeString(f, "#!/bin/sh\necho hi\n");
        assertEquals("jvmx: " + f + ": not an ELF file (no \\x7fELF magic at offset 0)", assertUserError(run("disasm", f.toString())));
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertTrue(assertUserError(run("disasm", empty.toString())).contains("not an ELF file"));
    }

    @Test
    void corruptElf(@TempDir Path dir) throws Exception {
        byte[] ls = Files.readAllBytes(Path.of("/bin/ls"));
        Path f = dir.resolve("cut");
        Files.write(f, java.util.Arrays.copyOf(ls, 100));
        String m = assertUserError(run("disasm", f.toString()));
        assertTrue(m.contains(f + ": ") && m.contains("past the end of the file"), m);
        byte[] arm = ls.clone();
        arm[0x12] = (byte) 183;
        arm[0x13] = 0;
        Path g = dir.resolve("arm");
        Files.write(g, arm);
        assertTrue(assertUserError(run("disasm", g.toString())).contains("not an x86-64 ELF file (e_machine 183"));
    }

    @Test
    void unknownSection() {
        assertEquals("jvmx: /bin/ls: no section named '.nope'", assertUserError(run("disasm", "/bin/ls", "--section", ".nope")));
    }

    @Test
    void rawBytes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("code.bin");
        Files.write(f, new byte[] {0x55, 0x48, (byte) 0x89, (byte) 0xe5, 0x06, (byte) 0xc3});
        Result r = run("disasm", f.toString(), "--raw", "--base", "0x401000");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals("\n" + f + ":     file format binary\n\n\nDisassembly of section .data:\n\n"
                + "0000000000401000 <.data>:\n"
                + "  401000:\t55                   \tpush   rbp\n"
                + "  401001:\t48 89 e5             \tmov    rbp,rsp\n"
                + "  401004:\t06                   \t(bad)\n"
                + "  401005:\tc3                   \tret\n", r.out());
    }

    /** The same bytes in 32- and 16-bit code: 48 is DEC, 06 is PUSH ES, the default sizes shrink. */
    @Test
    void rawBytesInLegacyModes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("code.bin");
        Files.write(f, new byte[] {0x55, 0x48, (byte) 0x89, (byte) 0xe5, 0x06, (byte) 0xc3});
        String out32 = run("disasm", f.toString(), "--raw", "--bits", "32").out();
        assertTrue(out32.contains("   0:\t55                   \tpush   ebp\n"), out32);
        assertTrue(out32.contains("   1:\t48                   \tdec    eax\n"), out32);
        assertTrue(out32.contains("   2:\t89 e5                \tmov    ebp,esp\n"), out32);
        assertTrue(out32.contains("   4:\t06                   \tpush   es\n"), out32);
        String out16 = run("disasm", f.toString(), "--raw", "--bits", "16").out();
        assertTrue(out16.contains("   0:\t55                   \tpush   bp\n"), out16);
        assertTrue(out16.contains("   2:\t89 e5                \tmov    bp,sp\n"), out16);
        assertTrue(assertUserError(run("disasm", f.toString(), "--raw", "--bits", "8")).contains("not 16, 32 or 64"));
        assertTrue(assertUserError(run("disasm", "/bin/ls", "--bits", "32")).contains("--bits needs --raw"));
    }

    @Test
    void longInstructionContinuesOnNextLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("nop.bin");
        // 66 66 2e 0f 1f 84 00 00 00 00 00: an 11-byte nop
        Files.write(f, new byte[] {0x66, 0x66, 0x2e, 0x0f, 0x1f, (byte) 0x84, 0, 0, 0, 0, 0});
        Result r = run("disasm", f.toString(), "--raw");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[lines.length - 2].startsWith("   0:\t66 66 2e 0f 1f 84 00 \t"), r.out());
        assertEquals("   7:\t00 00 00 00 ", lines[lines.length - 1]);
    }

    @Test
    void elfSectionsAndAddressColumn() {
        Result r = run("disasm", "/bin/ls", "--section", ".init");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\nDisassembly of section .init:\n\n"), r.out());
        assertFalse(r.out().contains(".text"), r.out());
        Result all = run("disasm", "/bin/ls");
        assertTrue(all.out().contains("Disassembly of section .text:"));
        assertTrue(all.out().contains("Disassembly of section .init:"));
        assertFalse(all.out().contains("Disassembly of section .rodata:"));
    }

    @Test
    void addressDigitsLikeObjdump() {
        assertEquals(4, Listing.addressDigits(6));        // "   0:"
        assertEquals(8, Listing.addressDigits(0x4017));   // "    4000:" (/bin/ls .init)
        assertEquals(8, Listing.addressDigits(0x24000));
        assertEquals(8, Listing.addressDigits(0x583b70));
        assertEquals(16, Listing.addressDigits(0xffffffff81000000L));
        assertEquals(16, Listing.addressDigits(0x7f0000000000L)); // 4 leading zeros: (4-1) & -4 = 0 skipped
    }
}

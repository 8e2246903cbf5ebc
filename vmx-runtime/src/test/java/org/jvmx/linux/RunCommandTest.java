package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvmx.cli.Main;
import org.junit.jupiter.api.Test;

/** {@code jvmx run} with inputs that are not x86-64 Linux programs: one line on stderr and status 2. */
class RunCommandTest {
    record Result(int status, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, out, err);
        return new Result(status, err.toString(StandardCharsets.UTF_8));
    }

    static void oneLine(Result r, String contains) {
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jvmx: ") && r.err().contains(contains), r.err());
    }

    /** An ELF header alone: class, machine and type as given, no program headers. */
    static byte[] elfHeader(int elfClass, int machine, int type) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', (byte) elfClass, 1, 1, 0});
        b.position(16);
        b.putShort((short) type).putShort((short) machine).putInt(1);
        b.putLong(0x401000).putLong(0).putLong(0).putInt(0).putShort((short) 64).putShort((short) 56)
                .putShort((short) 0).putShort((short) 64).putShort((short) 0).putShort((short) 0);
        return b.array();
    }

    @Test
    void missingProgram() {
        oneLine(run("run", "/nonexistent/program"), "no such file");
    }

    @Test
    void missingOperand() {
        assertEquals(2, run("run").status());
    }

    @Test
    void notElf() throws IOException {
        Path f = Files.createTempFile(GuestPrograms.dir(), "script", ".sh");
        Files.writeString(f, "#!/bin/sh\necho hi\n");
        oneLine(run("run", f.toString()), "not an ELF file");
    }

    @Test
    void directory() {
        oneLine(run("run", GuestPrograms.dir().toString()), "is a directory");
    }

    @Test
    void elf32() throws IOException {
        Path f = Files.createTempFile(GuestPrograms.dir(), "elf32", "");
        Files.write(f, elfHeader(1, 3, 2));
        oneLine(run("run", f.toString()), "32-bit");
    }

    @Test
    void otherMachine() throws IOException {
        Path f = Files.createTempFile(GuestPrograms.dir(), "aarch64", "");
        Files.write(f, elfHeader(2, 183, 2));
        oneLine(run("run", f.toString()), "x86-64");
    }

    @Test
    void notExecutable() throws IOException {
        Path f = Files.createTempFile(GuestPrograms.dir(), "rel", ".o");
        Files.write(f, elfHeader(2, 62, 1));
        oneLine(run("run", f.toString()), "not an executable");
    }

    @Test
    void helpListsRun() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"help"}, out, new ByteArrayOutputStream()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("run"), out.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(0, Main.run(new String[] {"run", "--help"}, out, new ByteArrayOutputStream()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--strace"));
    }

    @Test
    void optionsAfterTheProgramBelongToIt() {
        Path exe = GuestPrograms.build("args", LinuxRunTest.ARGS, "-static");
        // argc is the exit status: PROGRAM --strace --stats = 3 arguments, none taken by jvmx
        assertEquals(3, run("run", exe.toString(), "--strace", "--stats").status());
    }

    @Test
    void exitStatusThroughTheCli() {
        Path exe = GuestPrograms.build("hello", LinuxRunTest.HELLO, "-static");
        assertEquals(7, run("run", exe.toString()).status());
    }
}

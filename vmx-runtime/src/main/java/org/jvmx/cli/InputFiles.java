package org.jvmx.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jvmx.monitor.loader.ElfException;
import org.jvmx.monitor.loader.ElfFile;

/** Opening the files named on the command line, with one-line messages for every failure. */
final class InputFiles {
    private InputFiles() { }

    /** Reads and parses an ELF file; every problem becomes a {@link CliException} naming the file. */
    static ElfFile elf(String name) throws CliException {
        Path path = check(name);
        try {
            return ElfFile.read(path);
        } catch (ElfException e) {
            throw new CliException(e.getMessage());
        } catch (IOException e) {
            throw readError(name, e);
        }
    }

    /** Reads a whole file (at most 2 GiB). */
    static byte[] bytes(String name) throws CliException {
        Path path = check(name);
        try {
            long size = Files.size(path);
            if (size > Integer.MAX_VALUE - 8) throw new CliException(name + ": file too large (" + size + " bytes, at most 2 GiB)");
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw readError(name, e);
        }
    }

    private static Path check(String name) throws CliException {
        Path path;
        try {
            path = Path.of(name);
        } catch (RuntimeException e) {
            throw new CliException(name + ": invalid file name");
        }
        if (Files.isDirectory(path)) throw new CliException(name + ": is a directory");
        if (!Files.exists(path)) throw new CliException(name + ": no such file");
        return path;
    }

    private static CliException readError(String name, IOException e) {
        if (e instanceof NoSuchFileException) return new CliException(name + ": no such file");
        if (e instanceof AccessDeniedException) return new CliException(name + ": permission denied");
        return new CliException(name + ": cannot read: " + e.getMessage());
    }
}

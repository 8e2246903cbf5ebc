package org.jvmx.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The {@code jvmx} command line: {@code jvmx [--version | --help | help [CMD] | CMD [ARGS...]]}.
 *
 * <p>Exit status: 0 success, 2 user error (one line {@code jvmx: ...} on stderr), 70 internal
 * error (one line; set {@code JVMX_DEBUG=1} for the stack trace).
 */
public final class Main {
    public static final int EXIT_OK = 0, EXIT_USAGE = CliException.EXIT_USAGE, EXIT_INTERNAL = 70,
            EXIT_BROKEN_PIPE = 141;

    private Main() { }

    public static void main(String[] args) {
        int status = run(args, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
        System.exit(status);
    }

    /** Runs the CLI with the given streams (tests call this); returns the exit status. Never throws. */
    public static int run(String[] args, OutputStream stdout, OutputStream stderr) {
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        WatchedStream watched = new WatchedStream(stdout);
        Writer out = new BufferedWriter(new OutputStreamWriter(watched, StandardCharsets.UTF_8), 1 << 16);
        int status;
        try {
            try {
                status = dispatch(Arrays.asList(args), out, err);
            } finally {
                out.flush();
            }
        } catch (CliException e) {
            status = fail(err, e.getMessage(), EXIT_USAGE);
        } catch (IOException | UncheckedIOException e) {
            if (watched.failed) { // stdout went away (e.g. `jvmx disasm x | head`): stop quietly, like SIGPIPE
                status = isBrokenPipe(e) ? EXIT_BROKEN_PIPE : fail(err, "cannot write output: " + e.getMessage(), EXIT_USAGE);
            } else {
                status = fail(err, "I/O error: " + e.getMessage(), EXIT_USAGE);
            }
        } catch (RuntimeException | Error e) {
            if (System.getenv("JVMX_DEBUG") != null) e.printStackTrace(err);
            StackTraceElement[] st = e.getStackTrace();
            status = fail(err, "internal error: " + e + (st.length > 0 ? " at " + st[0] : "")
                    + " (set JVMX_DEBUG=1 for the stack trace)", EXIT_INTERNAL);
        }
        err.flush();
        return status;
    }

    private static int dispatch(List<String> args, Writer out, PrintWriter err) throws CliException, IOException {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            out.write(Help.general());
            return EXIT_OK;
        }
        String first = args.get(0);
        if (first.equals("--version") || first.equals("-V")) {
            out.write("jvmx " + version() + "\n");
            return EXIT_OK;
        }
        if (first.equals("help")) {
            if (args.size() == 1) {
                out.write(Help.general());
                return EXIT_OK;
            }
            if (args.size() > 2) throw new CliException("help: expected one command name, got " + (args.size() - 1) + " arguments");
            out.write(Help.of(command(args.get(1))));
            return EXIT_OK;
        }
        if (first.startsWith("-")) throw new CliException("unknown option '" + first + "' (see 'jvmx --help')");
        Command cmd = command(first);
        ArgParser.Parsed p = ArgParser.parse(cmd, args.subList(1, args.size()));
        if (p.help()) {
            out.write(Help.of(cmd));
            return EXIT_OK;
        }
        return cmd.run(new Invocation(cmd, p.operands(), p.options(), out, err));
    }

    private static Command command(String name) throws CliException {
        return Commands.find(name).orElseThrow(() -> new CliException("unknown command '" + name + "' (see 'jvmx help')"));
    }

    /** The Maven project version, from the filtered {@code version.properties}. */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int fail(PrintWriter err, String message, int status) {
        err.println("jvmx: " + message.replace('\n', ' '));
        return status;
    }

    private static boolean isBrokenPipe(Throwable e) {
        String m = e.getMessage();
        return m != null && m.contains("Broken pipe");
    }

    /** Remembers that a write to stdout failed, to tell a closed pipe from other I/O errors. */
    private static final class WatchedStream extends FilterOutputStream {
        boolean failed;

        WatchedStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }
}

package org.jvmx.cli;

/**
 * A user error: bad arguments, an unreadable or malformed input file. {@link Main} prints
 * {@code jvmx: MESSAGE} on one line and exits with {@link #EXIT_USAGE}; no stack trace.
 */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit status for user errors. */
    public static final int EXIT_USAGE = 2;

    public CliException(String message) {
        super(message, null, false, false);
    }
}

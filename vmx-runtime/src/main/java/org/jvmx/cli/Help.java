package org.jvmx.cli;

/** Help texts, built from the {@link Commands} registry. */
final class Help {
    private Help() { }

    static String general() {
        StringBuilder sb = new StringBuilder();
        sb.append("jvmx ").append(Main.version()).append(" - an x86-64 hypervisor on the JVM\n\n");
        sb.append("usage: jvmx COMMAND [ARGS...]\n");
        sb.append("       jvmx help [COMMAND]      help on jvmx or on one command (same as jvmx COMMAND --help)\n");
        sb.append("       jvmx --version           print the version\n\n");
        sb.append("commands:\n");
        int w = 0;
        for (Command c : Commands.ALL) w = Math.max(w, c.name().length());
        for (Command c : Commands.ALL) {
            sb.append("  ").append(c.name()).append(" ".repeat(w - c.name().length() + 3)).append(c.summary()).append('\n');
        }
        sb.append("\nExit status: 0 success, 2 bad arguments or input (one line on stderr), 70 internal error.\n");
        return sb.toString();
    }

    static String of(Command c) {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: jvmx ").append(c.synopsis()).append("\n\n");
        sb.append(c.summary()).append("\n\n");
        String d = c.description();
        if (!d.isEmpty()) sb.append(d).append(d.endsWith("\n") ? "" : "\n").append('\n');
        sb.append("options:\n");
        int w = "-h, --help".length();
        for (Option o : c.options()) w = Math.max(w, o.usage().length());
        for (Option o : c.options()) {
            sb.append("  ").append(o.usage()).append(" ".repeat(w - o.usage().length() + 3)).append(o.help())
                    .append(o.repeatable() ? " (repeatable)" : "").append('\n');
        }
        sb.append("  -h, --help").append(" ".repeat(w - 10 + 3)).append("show this help\n");
        return sb.toString();
    }
}

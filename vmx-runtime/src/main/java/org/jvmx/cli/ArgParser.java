package org.jvmx.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a command's arguments against its {@link Command#options()}: {@code --name},
 * {@code --name VALUE}, {@code --name=VALUE}; {@code --} ends the options; {@code -h}/{@code --help}
 * ask for help. Everything else is an operand.
 */
final class ArgParser {
    /** The result; {@code help} is true when --help/-h was given (the rest may then be incomplete). */
    record Parsed(boolean help, List<String> operands, Map<String, List<String>> options) { }

    private ArgParser() { }

    static Parsed parse(Command cmd, List<String> args) throws CliException {
        Map<String, List<String>> options = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        boolean optionsDone = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsDone || a.equals("-") || !a.startsWith("-")) {
                operands.add(a);
                if (cmd.optionsEndAtFirstOperand()) optionsDone = true;
                continue;
            }
            if (a.equals("--")) {
                optionsDone = true;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) return new Parsed(true, operands, options);
            if (!a.startsWith("--")) throw unknown(cmd, a);
            int eq = a.indexOf('=');
            String name = a.substring(2, eq < 0 ? a.length() : eq);
            Option opt = find(cmd, name);
            if (opt == null) throw unknown(cmd, eq < 0 ? a : a.substring(0, eq));
            String value = null;
            if (opt.takesValue()) {
                if (eq >= 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw usage(cmd, "option --" + name + " needs a value " + opt.valueName());
                }
            } else if (eq >= 0) {
                throw usage(cmd, "option --" + name + " takes no value");
            }
            List<String> values = options.computeIfAbsent(name, k -> new ArrayList<>());
            if (!values.isEmpty() && !opt.repeatable()) throw usage(cmd, "option --" + name + " given more than once");
            values.add(value == null ? "" : value);
        }
        for (Map.Entry<String, List<String>> e : options.entrySet()) e.setValue(List.copyOf(e.getValue()));
        return new Parsed(false, List.copyOf(operands), Map.copyOf(options));
    }

    private static Option find(Command cmd, String name) {
        for (Option o : cmd.options()) if (o.name().equals(name)) return o;
        return null;
    }

    private static CliException unknown(Command cmd, String arg) {
        return usage(cmd, "unknown option '" + arg + "'");
    }

    private static CliException usage(Command cmd, String problem) {
        return new CliException(cmd.name() + ": " + problem + " (see 'jvmx " + cmd.name() + " --help')");
    }
}

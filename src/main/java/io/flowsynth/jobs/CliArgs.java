package io.flowsynth.jobs;

import io.flowsynth.error.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command line: {@code <command> [--option value]... [--flag]...}. Options may be written
 * {@code --name value} or {@code --name=value}; {@code --set key=value} may repeat. Unknown options, missing values
 * and missing required options are usage errors naming the option.
 */
final class CliArgs {
    private final String command;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Map<String, String> sets = new LinkedHashMap<>();
    private final List<String> flags = new ArrayList<>();

    private CliArgs(String command) {
        this.command = command;
    }

    static CliArgs parse(String[] args, Map<String, Set<String>> valueOptions, Map<String, Set<String>> flagOptions) {
        if (args.length == 0) {
            throw new BadInputException("No command given (commands: " + String.join(", ", valueOptions.keySet()) + ")");
        }
        String command = args[0];
        if (!valueOptions.containsKey(command)) {
            throw new BadInputException("Unknown command '" + command + "' (commands: "
                    + String.join(", ", valueOptions.keySet()) + ")");
        }
        CliArgs a = new CliArgs(command);
        Set<String> takesValue = valueOptions.get(command);
        Set<String> isFlag = flagOptions.get(command);
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new BadInputException("Unexpected argument '" + arg + "' for command " + command);
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (isFlag.contains(name)) {
                if (value != null) {
                    throw new BadInputException("Option --" + name + " takes no value");
                }
                a.flags.add(name);
                continue;
            }
            if (!takesValue.contains(name)) {
                throw new BadInputException("Unknown option --" + name + " for command " + command);
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new BadInputException("Option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (name.equals("set")) {
                int kv = value.indexOf('=');
                if (kv <= 0) {
                    throw new BadInputException("Option --set: expected key=value, got '" + value + "'");
                }
                a.sets.put(value.substring(0, kv).trim(), value.substring(kv + 1).trim());
            } else {
                if (a.options.containsKey(name)) {
                    throw new BadInputException("Option --" + name + " given twice");
                }
                a.options.put(name, value);
            }
        }
        return a;
    }

    String command() {
        return command;
    }

    String required(String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new BadInputException("Missing required option --" + name + " for command " + command);
        }
        return v;
    }

    String optional(String name) {
        return options.get(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    Map<String, String> sets() {
        return sets;
    }

    /** A number option, or {@code fallback} when absent. */
    double doubleOption(String name, double fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("Option --" + name + ": expected a number, got '" + v + "'");
        }
    }

    /** A whole number option in [min, max], or null when absent. */
    Integer intOption(String name, int min, int max) {
        Long v = longOption(name, min);
        if (v != null && v > max) {
            throw new BadInputException("Option --" + name + ": must be ≤ " + max + ", got " + options.get(name));
        }
        return v == null ? null : v.intValue();
    }

    /** A whole number option ≥ {@code min}, or null when absent. */
    Long longOption(String name, long min) {
        String v = options.get(name);
        if (v == null) {
            return null;
        }
        try {
            long l = Long.parseLong(v.replace("_", ""));
            if (l < min) {
                throw new BadInputException("Option --" + name + ": must be ≥ " + min + ", got " + v);
            }
            return l;
        } catch (NumberFormatException e) {
            throw new BadInputException("Option --" + name + ": expected a whole number"
                    + (v.matches("[+-]?[0-9_]+") ? " within ±" + Long.MAX_VALUE : "") + ", got '" + v + "'");
        }
    }
}

package io.tarn.local.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;

/** The {@code tarn} command's entry point: {@link TarnCommand} on the given streams. */
public final class Tarn {

    private final PrintStream out;
    private final PrintStream err;

    public Tarn(PrintStream out, PrintStream err) {
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
    }

    public static void main(String[] args) {
        System.exit(new Tarn(System.out, System.err).run(args));
    }

    /** Runs a command; returns the process exit code. Errors are one line on stderr. */
    public int run(String... args) {
        return TarnCommand.commandLine(out, err).execute(args);
    }
}

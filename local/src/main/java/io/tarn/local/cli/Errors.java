package io.tarn.local.cli;

import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.PipelineConfigException;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.List;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * What goes wrong, as one line on stderr, {@code tarn: <what>}: a mistake in the command line
 * (followed by the command's usage) exits 2, a failure of the command 1. Never a stack trace.
 */
final class Errors implements IParameterExceptionHandler, IExecutionExceptionHandler {

    private final PrintStream err;

    Errors(PrintStream err) {
        this.err = requireNonNull(err, "err is null");
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        err.println("tarn: " + usageError(e, List.of(args)));
        err.print(e.getCommandLine().getUsageMessage());
        err.flush();
        return 2;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        err.println("tarn: " + failure(e));
        return 1;
    }

    private static String usageError(ParameterException e, List<String> args) {
        if (e instanceof UnmatchedArgumentException unmatched) {
            String first = unmatched.getUnmatched().get(0);
            if (first.startsWith("-")) {
                return "unknown option " + first;
            }
            return e.getCommandLine().getSubcommands().isEmpty()
                    ? "unexpected argument '" + first + "'"
                    : "unknown command '" + first + "'";
        }
        if (e instanceof MissingParameterException missing) {
            List<String> names = missing.getMissing().stream().map(Errors::name).toList();
            // Picocli says "missing" both for a required option not given and for an option given
            // without its value (last, or followed by another option); only the latter is in args.
            if (names.size() == 1 && args.contains(names.get(0))) {
                return "option " + names.get(0) + " needs a value";
            }
            return "missing " + String.join(", ", names);
        }
        if (e.getCause() instanceof TypeConversionException invalid && e.getArgSpec() != null) {
            // The converters say what the value should be ("takes ..., got '...'"); this names the option.
            return name(e.getArgSpec()) + " " + invalid.getMessage();
        }
        return e.getMessage();
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
    }

    private static String failure(Exception e) {
        if (e instanceof PipelineConfigException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            return e.getMessage();
        }
        if (e instanceof SQLException) {
            return "query failed: " + e.getMessage().lines().findFirst().orElse("");
        }
        return e.toString();
    }
}

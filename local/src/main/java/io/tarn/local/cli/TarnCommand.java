package io.tarn.local.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code tarn}: the pipeline on this machine, on embedded parts. Each command is a class of its
 * own that declares exactly the options it reads, so that picocli refuses every other one.
 */
@Command(name = "tarn",
        // The headings, the option order and the separator are the same for every command.
        scope = ScopeType.INHERIT,
        synopsisHeading = "usage: ",
        synopsisSubcommandLabel = "<command> [options]",
        descriptionHeading = "%n",
        parameterListHeading = "%narguments:%n",
        optionListHeading = "%noptions:%n",
        commandListHeading = "%ncommands:%n",
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        usageHelpWidth = 100,
        description = "The Tarn pipeline on this machine, on embedded parts (no AWS account, no Docker).")
public final class TarnCommand implements Callable<Integer> {

    @Mixin
    private HelpOption help;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;

    private TarnCommand(PrintStream out) {
        this.out = requireNonNull(out, "out is null");
    }

    /**
     * The command line of {@code tarn}, printing to {@code out} and {@code err}; its
     * {@code execute(args)} returns the exit code: 0, 1 for a failure, 2 for a usage error.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine tarn = new CommandLine(new TarnCommand(out))
                .addSubcommand(new IngestCommand(out, err))
                .addSubcommand(new QueryCommand(out, err))
                .addSubcommand(new PollCommand(out, err))
                .addSubcommand(new SqlCommand(out, err))
                .addSubcommand(new DemoCommand(out, err))
                .addSubcommand(new EtlCommand(out, err))
                .addSubcommand(new InvokeCommand(out, err))
                .addSubcommand(new UpCommand(out, err))
                .addSubcommand(new StatusCommand(out, err))
                .addSubcommand(new HelpCommand());
        // In the words of the other commands (the list shows a command's header, else its description).
        tarn.getSubcommands().get("help").getCommandSpec().usageMessage().header("show the help of tarn or of a command");
        Errors errors = new Errors(err);
        // After the subcommands: these settings apply to the commands added so far.
        return tarn.setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                // An argument starting with @ is an argument (a query may), not a file of arguments.
                .setExpandAtFiles(false)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    /** No command: the usage, and exit 2 as for a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return 2;
    }
}

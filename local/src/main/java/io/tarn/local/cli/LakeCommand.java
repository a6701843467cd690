package io.tarn.local.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command on the local lake has: {@code --dir}, {@code --help}, its own spec (for usage
 * errors that name it), and the streams it prints to (results on {@code out}, the functions' logs on
 * {@code err}). Picocli reads the annotated fields of superclasses too.
 */
abstract class LakeCommand implements Callable<Integer> {

    /**
     * Where the options every command shares stand in its help: after the command's own (whose
     * order is picocli's default, -1, so they keep their declaration order), {@code --dir}, then
     * {@code --pipeline}, then {@code --help}.
     */
    static final int COMMON_OPTIONS = 100;

    @Mixin
    protected DirOption dir;

    @Mixin
    protected HelpOption help;

    @Spec
    protected CommandSpec spec;

    protected final PrintStream out;
    protected final PrintStream err;

    LakeCommand(PrintStream out, PrintStream err) {
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
    }

    /** A command that reads pipeline.yaml too ({@code --pipeline}). */
    abstract static class WithPipeline extends LakeCommand {

        @Mixin
        protected PipelineOption pipeline;

        WithPipeline(PrintStream out, PrintStream err) {
            super(out, err);
        }
    }
}

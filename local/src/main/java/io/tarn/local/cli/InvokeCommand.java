package io.tarn.local.cli;

import io.tarn.local.lake.LocalInvoke;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "invoke",
        description = "run a function of template.yaml (its logical id) with an event file on the local lake, as"
                + " sam local invoke does: the response on stdout, the function's logs on stderr")
final class InvokeCommand extends LakeCommand.WithPipeline {

    @Parameters(paramLabel = "FUNCTION", hideParamSyntax = true, description = "the function's logical id in template.yaml")
    private List<String> function = new ArrayList<>();

    @Option(names = "--event", paramLabel = "FILE", required = true, description = "the event file")
    private Path event;

    @Option(names = "--template", paramLabel = "FILE",
            description = "template.yaml (default: ./template.yaml, else the one in the tarn jar)")
    private Optional<String> template = Optional.empty();

    InvokeCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() throws Exception {
        String logicalId = Commands.one(spec, function, "FUNCTION (a logical id of template.yaml)");
        Path lakeDir = dir.writable();
        Path templateFile = LocalInvoke.templateFile(template, lakeDir);
        return new LocalInvoke(lakeDir, pipeline::load, () -> {
            try {
                return pipeline.file(lakeDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, out, err).invoke(templateFile, logicalId, event);
    }
}

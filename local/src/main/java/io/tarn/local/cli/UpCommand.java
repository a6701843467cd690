package io.tarn.local.cli;

import io.tarn.local.lake.LocalUp;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "up",
        description = "keep the local S3 endpoint open on 127.0.0.1:P and run the RawObject function on every new object"
                + " of the raw bucket, until Ctrl-C; prints the endpoint and credentials; new staging data starts the"
                + " ETL state machine through EtlTrigger, once per window")
final class UpCommand extends LakeCommand.WithPipeline {

    @Option(names = "--port", paramLabel = "P", converter = PortConverter.class,
            description = "the endpoint's port (default: 8765; 0: any free port)")
    private int port = LocalUp.DEFAULT_PORT;

    @Option(names = "--etl-window", paramLabel = "SECONDS|off", converter = EtlWindowConverter.class,
            description = "the window of the ETL runs new staging data starts, 1 to 3600 seconds (default: 5;"
                    + " off: staging only)")
    private Optional<Duration> etlWindow = Optional.of(LocalUp.DEFAULT_ETL_WINDOW);

    UpCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    /** A TCP port, 0 for any free one. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below, as for a number out of range
            }
            throw new TypeConversionException("takes a port number from 0 to 65535, got '" + value + "'");
        }
    }

    /** Seconds, or {@code off} for staging only: null, which picocli hands to the field as an empty Optional. */
    static final class EtlWindowConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.equals("off")) {
                return null;
            }
            try {
                int seconds = Integer.parseInt(value);
                if (seconds >= 1 && seconds <= 3600) {
                    return Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException e) {
                // reported below, as for a number out of range
            }
            throw new TypeConversionException("takes a number of seconds from 1 to 3600 or off, got '" + value + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        Path lakeDir = dir.writable();
        LocalUp.start(lakeDir, port, pipeline.load(), pipeline.file(lakeDir), etlWindow, out, err).runUntilShutdown();
        return 0;
    }
}

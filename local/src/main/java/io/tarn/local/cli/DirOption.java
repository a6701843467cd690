package io.tarn.local.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --dir}: the folder of the local lake. */
final class DirOption {

    @Option(names = "--dir", paramLabel = "DIR", order = LakeCommand.COMMON_OPTIONS,
            description = "the local lake's folder (default: .tarn)")
    private Path dir = Path.of(".tarn");

    /** DIR as given, for commands that only read under it. */
    Path path() {
        return dir;
    }

    /**
     * DIR, created if missing and checked to be writable, for the commands that write under it:
     * a lake that cannot be written fails here in one line, not deep inside a server.
     */
    Path writable() {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".tarn-write-check", ""));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write to DIR " + dir + ": " + reason(e), e);
        }
        return dir;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.toString();
    }
}

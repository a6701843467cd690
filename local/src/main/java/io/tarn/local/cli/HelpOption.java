package io.tarn.local.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} on every command. A mixin rather than an inherited option: picocli's own
 * {@code help} command declares the same names, which an inherited option would clash with.
 */
final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, order = LakeCommand.COMMON_OPTIONS + 2,
            description = "show this help")
    private boolean help;
}

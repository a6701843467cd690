package io.tarn.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

class LambdaJarTest {

    private static final String S3 = "software/amazon/awssdk/services/s3/";

    @TempDir
    Path temp;

    @Test
    void missingSdkClassesFindsNoneInAWholeServiceModule() throws Exception {
        // The module names resource paths too (execution.interceptors): they are not classes.
        assertThat(LambdaJar.missingSdkClasses(s3ModuleJar(), "s3")).isEmpty();
    }

    @Test
    void missingSdkClassesNamesEveryClassThatNamesAStrippedOne() throws Exception {
        Path stripped = copyWithout(s3ModuleJar(), Set.of(S3 + "model/CompletedPart$BuilderImpl.class"));

        assertThat(LambdaJar.missingSdkClasses(stripped, "s3")).containsExactly(
                "model/CompletedMultipartUpload$BuilderImpl -> model/CompletedPart$BuilderImpl",
                "model/CompletedPart -> model/CompletedPart$BuilderImpl");
    }

    @Test
    void strippingFaultsNameTheServiceOfEachMissingClass() throws Exception {
        Path stripped = copyWithout(s3ModuleJar(), Set.of(S3 + "model/CompletedPart$BuilderImpl.class"));

        assertThat(LambdaJar.strippingFaults(s3ModuleJar(), List.of("s3"))).isEmpty();
        assertThat(LambdaJar.strippingFaults(stripped, List.of("s3"))).containsExactly(
                "s3: model/CompletedMultipartUpload$BuilderImpl -> model/CompletedPart$BuilderImpl (named but stripped)",
                "s3: model/CompletedPart -> model/CompletedPart$BuilderImpl (named but stripped)");
    }

    @Test
    void functionJarFaultsNameTheAsyncClassesAndWhatTheShadeStepStrippedOfEachServiceModule() throws Exception {
        Path stripped = copyWithout(s3ModuleJar(), Set.of(S3 + "model/CompletedPart$BuilderImpl.class"));

        assertThat(LambdaJar.functionJarFaults(stripped))
                .contains("async SDK class: " + S3 + "S3AsyncClient.class",
                        "s3: model/CompletedPart -> model/CompletedPart$BuilderImpl (named but stripped)")
                .allMatch(fault -> fault.startsWith("async SDK class: ") || fault.startsWith("s3: "));
    }

    private static Path s3ModuleJar() throws URISyntaxException {
        return Path.of(S3Client.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private Path copyWithout(Path jar, Set<String> left) throws IOException {
        Path copy = temp.resolve("stripped.jar");
        try (JarFile in = new JarFile(jar.toFile()); OutputStream file = Files.newOutputStream(copy);
                JarOutputStream out = new JarOutputStream(file)) {
            for (JarEntry entry : Collections.list(in.entries())) {
                if (!left.contains(entry.getName())) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.getInputStream(entry).transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return copy;
    }
}

package io.tarn.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import org.junit.jupiter.api.Test;

class MotoServerTest {

    @Test
    void startedServerAnswersAndResetsUntilClosed() throws IOException {
        URI endpoint;
        try (MotoServer server = MotoServer.start()) {
            endpoint = server.endpoint();
            assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
            assertThat(status(endpoint.resolve("/moto-api/"))).isEqualTo(200);

            server.reset();
        }

        assertThatThrownBy(() -> status(endpoint.resolve("/moto-api/"))).isInstanceOf(IOException.class);
    }

    @Test
    void sharedServerIsOnePerJvm() {
        assertThat(MotoServer.shared()).isSameAs(MotoServer.shared());
    }

    private static int status(URI uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(1000);
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }
}

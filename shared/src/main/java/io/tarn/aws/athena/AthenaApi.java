package io.tarn.aws.athena;

import io.tarn.aws.json.AwsJsonClient;
import io.tarn.aws.json.AwsJsonService;
import io.tarn.aws.json.Backoff;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * A small client of the Amazon Athena API (JSON 1.1, see {@link AwsJsonClient}), instead of the
 * SDK's athena module. Request and answer shapes are those of the
 * <a href="https://docs.aws.amazon.com/athena/latest/APIReference/API_Operations.html">Athena API reference</a>.
 */
public final class AthenaApi extends AwsJsonClient {

    /** Athena as {@link AwsJsonClient} speaks to it. */
    public static final AwsJsonService SERVICE = new AwsJsonService("Athena", "athena", "AmazonAthena.", "athena");

    /**
     * A client that owns {@code http} (closing this closes it).
     *
     * @param endpoint Athena's endpoint in the region ({@code SERVICE.endpoint(region)}) or a local server's
     * @param maxAttempts attempts per call, the first included
     */
    public AthenaApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint,
            int maxAttempts) {
        this(http, credentials, region, endpoint, Backoff.standard(maxAttempts), Clock.systemUTC());
    }

    public AthenaApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint,
            Backoff backoff, Clock clock) {
        super(SERVICE, http, credentials, region, endpoint, backoff, clock);
    }
}

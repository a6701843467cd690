package io.tarn.aws.glue;

import io.tarn.aws.json.AwsJsonClient;
import io.tarn.aws.json.AwsJsonService;
import io.tarn.aws.json.Backoff;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * A small client of the AWS Glue API (JSON 1.1, see {@link AwsJsonClient}): the adapters of
 * {@code io.tarn.aws.glue} take this type, so that a client of another service cannot be passed by
 * mistake. Request and answer shapes are those of the
 * <a href="https://docs.aws.amazon.com/glue/latest/webapi/API_Operations.html">Glue API reference</a>.
 */
public final class GlueApi extends AwsJsonClient {

    /** The SigV4 signing name of Glue. */
    public static final String SIGNING_NAME = "glue";

    static final String CONTENT_TYPE = AwsJsonClient.CONTENT_TYPE;
    static final String TARGET_PREFIX = "AWSGlue.";

    /** Glue as {@link AwsJsonClient} speaks to it. */
    public static final AwsJsonService SERVICE = new AwsJsonService("Glue", SIGNING_NAME, TARGET_PREFIX, "glue");

    /**
     * A client that owns {@code http} (closing this closes it).
     *
     * @param region the signing region, e.g. {@code eu-west-1}
     * @param endpoint Glue's endpoint in the region ({@link #endpoint(String)}) or a local server's
     * @param maxAttempts attempts per call, the first included
     */
    public GlueApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint,
            int maxAttempts) {
        this(http, credentials, region, endpoint, Backoff.standard(maxAttempts), Clock.systemUTC());
    }

    GlueApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint, Backoff backoff,
            Clock clock) {
        super(SERVICE, http, credentials, region, endpoint, backoff, clock);
    }

    /** Glue's public endpoint in a region, e.g. {@code https://glue.eu-west-1.amazonaws.com/}. */
    public static URI endpoint(String region) {
        return SERVICE.endpoint(region);
    }
}

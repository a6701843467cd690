package io.tarn.local.lake;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

/**
 * What Lambda's Java runtime does for a handler of event types ({@code RequestHandler<SQSEvent,
 * SQSBatchResponse>}): the payload decoded into the input type and the answer encoded, both with
 * the runtime's own serializer (aws-lambda-java-serialization), so that {@code tarn invoke} and
 * {@code tarn up} hand such a handler the bytes of an event as Lambda does.
 */
final class PojoHandlers {

    private PojoHandlers() {}

    static <I, O> RequestStreamHandler stream(RequestHandler<I, O> handler, Class<I> input, Class<O> output) {
        ClassLoader loader = PojoHandlers.class.getClassLoader();
        PojoSerializer<I> in = LambdaEventSerializers.serializerFor(input, loader);
        PojoSerializer<O> out = LambdaEventSerializers.serializerFor(output, loader);
        return (payload, response, context) -> out.toJson(handler.handleRequest(in.fromJson(payload), context), response);
    }
}

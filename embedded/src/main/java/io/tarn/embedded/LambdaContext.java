package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.UUID;
import java.util.function.IntSupplier;

/**
 * Lambda's context for a function run outside Lambda (tests, {@code tarn}): its name, memory and
 * the remaining time, from a supplier. Logs go to standard error, as the runtime's logger's go
 * to CloudWatch.
 */
public final class LambdaContext implements Context {

    private final String functionName;
    private final int memoryMb;
    private final IntSupplier remainingMillis;
    private final String requestId = UUID.randomUUID().toString();

    public LambdaContext(String functionName, int memoryMb, IntSupplier remainingMillis) {
        this.functionName = requireNonNull(functionName, "functionName is null");
        this.memoryMb = memoryMb;
        this.remainingMillis = requireNonNull(remainingMillis, "remainingMillis is null");
    }

    /** A test function's context whose remaining time comes from {@code remainingMillis}. */
    public static LambdaContext withRemaining(IntSupplier remainingMillis) {
        return new LambdaContext("tarn-test", 1024, remainingMillis);
    }

    /** A context whose deadline is {@code timeoutMillis} from now, as Lambda counts it down. */
    public static LambdaContext withTimeout(String functionName, int memoryMb, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        return new LambdaContext(functionName, memoryMb,
                () -> (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L));
    }

    @Override
    public int getRemainingTimeInMillis() {
        return remainingMillis.getAsInt();
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[$LATEST]" + requestId.substring(0, 8);
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:local:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.err.print(message);
            }

            @Override
            public void log(byte[] message) {
                System.err.write(message, 0, message.length);
            }
        };
    }
}

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/**
 * Lambda's context in a probe's JVM, whose class path is a function's jar and the probes only
 * (the jar brings the Context interface). Five minutes remain, always.
 */
final class ProbeContext implements Context {

    private final String function;

    ProbeContext(String function) {
        this.function = function;
    }

    @Override public String getAwsRequestId() { return "cold-init-probe"; }
    @Override public String getLogGroupName() { return "/aws/lambda/" + function; }
    @Override public String getLogStreamName() { return "probe"; }
    @Override public String getFunctionName() { return function; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:" + function; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return 300_000; }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override public void log(String message) { System.err.println(message); }
            @Override public void log(byte[] message) { System.err.println(new String(message)); }
        };
    }
}

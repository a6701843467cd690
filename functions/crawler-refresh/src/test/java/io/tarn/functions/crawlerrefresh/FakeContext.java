package io.tarn.functions.crawlerrefresh;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.function.IntSupplier;

/** Lambda's context as far as the handler reads it: the remaining time, from a supplier. */
final class FakeContext implements Context {

    private final IntSupplier remainingMillis;

    FakeContext(IntSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return remainingMillis.getAsInt();
    }

    @Override
    public String getAwsRequestId() {
        return "6f7e2a1c-0d3b-4c5e-9f8a-1b2c3d4e5f60";
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/tarn-CrawlerRefresh";
    }

    @Override
    public String getLogStreamName() {
        return "2024/06/01/[$LATEST]0123456789abcdef";
    }

    @Override
    public String getFunctionName() {
        return "tarn-CrawlerRefresh";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:123456789012:function:tarn-CrawlerRefresh";
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
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return null;
    }
}

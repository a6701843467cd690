package io.tarn.typing;

/**
 * A raw record cannot become a staging row; the message is the reason written to quarantine.
 * Rejections are expected in bulk on bad files, so no stack trace is captured.
 */
public final class RowRejectedException extends Exception {
    public RowRejectedException(String reason) {
        super(reason, null, false, false);
    }
}

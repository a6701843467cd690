package io.tarn.aws.secrets;

/**
 * A database secret cannot be read or does not hold a usable connection; the message names the
 * secret and what is wrong, never the password.
 */
public class SecretException extends RuntimeException {

    public SecretException(String message) {
        super(message);
    }

    public SecretException(String message, Throwable cause) {
        super(message, cause);
    }
}

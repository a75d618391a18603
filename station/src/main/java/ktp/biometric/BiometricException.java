package ktp.biometric;

/** A template or image the matcher cannot use, with what is wrong. */
public final class BiometricException extends Exception {
    public BiometricException(String message) { super(message); }

    public BiometricException(String message, Throwable cause) { super(message, cause); }
}

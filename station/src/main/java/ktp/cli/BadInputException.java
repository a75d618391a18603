package ktp.cli;

/** The user gave a command something it cannot use; ktp prints the message and exits with 2. */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) { super(message); }
}

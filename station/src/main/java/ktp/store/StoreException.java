package ktp.store;

/** The store cannot be opened or a change cannot be made; the message says what and where, for a person. */
public class StoreException extends RuntimeException {
    public StoreException(String message) { super(message); }

    public StoreException(String message, Throwable cause) { super(message, cause); }
}

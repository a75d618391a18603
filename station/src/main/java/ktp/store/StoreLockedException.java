package ktp.store;

/** Another process (or this one) already has the store open; the message names the holder. */
public final class StoreLockedException extends StoreException {
    public StoreLockedException(String key, Object... args) { super(key, args); }
}

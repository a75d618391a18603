package ktp.store;

/**
 * The store does not reach its last commit (a damaged or missing record, a rolled-back journal or
 * checkpoint): it was not opened and nothing in it was changed. The message names each file, offset and the
 * transactions around the damage, and the two commands that help ({@code ktp store check}, {@code ktp store repair}).
 */
public final class StoreDamagedException extends StoreException {
    public StoreDamagedException(String key, Object... args) { super(key, args); }
}

package ktp.store;

import ktp.i18n.Catalogue;
import ktp.i18n.Language;

/**
 * The store cannot be opened or a change cannot be made; the message says what and where, for a person. It is kept
 * as a key of the catalogue's store area ({@code store.KEY}) and its arguments, so that it is said in the language
 * of whoever reads it ({@link #message(Language)}); {@link #getMessage()} is the English text, for the logs of other
 * libraries and the tests. The arguments (a path, a record's id, a number, another library's message) go in as their
 * plain text, never translated: the technical detail stays readable behind the operator's words.
 */
public class StoreException extends RuntimeException implements ktp.i18n.OperatorWords {
    private final String key;
    private final Object[] args;

    /** A refusal said by {@code key} (of the store area) with {@code args} in its placeholders. */
    public StoreException(String key, Object... args) {
        this(null, key, args);
    }

    /** The same, caused by {@code cause} (whose own message is usually one of the arguments). */
    public StoreException(Throwable cause, String key, Object... args) {
        super(Catalogue.text(Language.EN, key, plain(args)), cause);
        this.key = key;
        this.args = plain(args);
    }

    /** The catalogue key this refusal is said by. */
    public String key() { return key; }

    /** The arguments, as plain text. */
    public Object[] args() { return args.clone(); }

    /** This refusal in {@code language}. */
    @Override
    public String message(Language language) { return Catalogue.text(language, key, args); }

    /** A refusal's words in {@code language}, or any other exception's own message (English, the library's). */
    public static String message(Throwable e, Language language) {
        return e instanceof StoreException s ? s.message(language) : String.valueOf(e.getMessage());
    }

    // Arguments as text, so that a number reads as it does today ("100000", never "100.000" or "100,000").
    private static Object[] plain(Object[] args) {
        Object[] out = new Object[args.length];
        for (int i = 0; i < args.length; i++) out[i] = String.valueOf(args[i]);
        return out;
    }
}

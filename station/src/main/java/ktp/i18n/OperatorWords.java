package ktp.i18n;

/**
 * An exception whose message is kept as catalogue words, so that it can be said in the language of whoever reads
 * it (the store's refusals). The station log says such an exception's message in the station's language.
 */
public interface OperatorWords {
    /** The message in {@code language}; the technical detail in it (paths, ids, another library's words) as it is. */
    String message(Language language);
}

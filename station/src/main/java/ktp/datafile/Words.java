package ktp.datafile;

import java.util.Arrays;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;

/**
 * A problem with a file said in words of the catalogue's config area ({@code config.KEY}), kept as its key and
 * arguments so that it is said in the language of whoever reads it: the command line's choice. An argument that is
 * itself {@code Words} is said in the same language; any other argument (a key's path, a value as typed, a file
 * name, another library's message) goes in as its plain text, never translated. {@link #raw} is a text that has no
 * key (yet): it reads the same in every language.
 */
public record Words(String key, Object[] args, String raw) {
    public static Words of(String key, Object... args) { return new Words(key, args.clone(), null); }

    /** A text without a catalogue key, the same in every language. */
    public static Words raw(String text) { return new Words(null, new Object[0], text); }

    /** These words in {@code language}. */
    public String in(Language language) {
        if (key == null) return raw;
        Object[] plain = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            plain[i] = a instanceof Words w ? w.in(language) : a instanceof DataFileException d ? d.message(language) : String.valueOf(a);
        }
        return Catalogue.text(language, "config." + key, plain);
    }

    @Override
    public String toString() { return in(Language.EN); }

    @Override
    public boolean equals(Object o) { return o instanceof Words w && java.util.Objects.equals(key, w.key) && Arrays.equals(args, w.args) && java.util.Objects.equals(raw, w.raw); }

    @Override
    public int hashCode() { return java.util.Objects.hash(key, Arrays.hashCode(args), raw); }
}

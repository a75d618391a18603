package ktp.i18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every text an operator reads, by key, in Indonesian and English: one catalogue, so that a test can prove
 * no key lacks a language. The texts live in {@code ktp/i18n/AREA_id.properties} and {@code AREA_en.properties}
 * (UTF-8), one pair per area so that the rooms that own the words can edit them apart; a key starts with its
 * area's name ("console.queue"). A text is a {@link MessageFormat} pattern: {0}, {1} take the arguments and an
 * apostrophe is written twice.
 *
 * <p>A key missing from the catalogue shows itself as "[key]" rather than an empty string, so that a gap is
 * seen on the screen and caught by the tests, never hidden.
 */
public final class Catalogue {
    /** The areas, each a pair of property files. A new area is added here and gets its two files. */
    public static final List<String> AREAS = List.of("console", "station", "setup", "report", "cli", "config", "store");

    // The area each key came from; filled by load(), so declared before TEXTS (static fields start in order).
    private static final Map<Language, Map<String, String>> AREA_OF = new EnumMap<>(Language.class);
    private static final Map<Language, Map<String, String>> TEXTS = load();

    private Catalogue() {}

    /** The text for {@code key} in {@code language}, with {@code args} put in its placeholders. */
    public static String text(Language language, String key, Object... args) {
        String pattern = TEXTS.get(language).get(key);
        if (pattern == null) return "[" + key + "]";
        return new MessageFormat(pattern, language == Language.EN ? Locale.ENGLISH : Locale.forLanguageTag("id")).format(args);
    }

    /** Whether the catalogue knows {@code key} (in either language). */
    public static boolean has(String key) {
        return TEXTS.get(Language.ID).containsKey(key) || TEXTS.get(Language.EN).containsKey(key);
    }

    /** Every key of one language, sorted. */
    public static Set<String> keys(Language language) {
        return Collections.unmodifiableSet(new TreeSet<>(TEXTS.get(language).keySet()));
    }

    /** The raw pattern of a key in one language, or null; for the catalogue's own tests. */
    static String pattern(Language language, String key) {
        return TEXTS.get(language).get(key);
    }

    /** The area a key was loaded from, for each language; a key in the wrong area's file is a mistake. */
    static Map<String, String> areaOf(Language language) {
        return Collections.unmodifiableMap(AREA_OF.get(language));
    }


    private static Map<Language, Map<String, String>> load() {
        Map<Language, Map<String, String>> all = new EnumMap<>(Language.class);
        for (Language language : Language.values()) {
            Map<String, String> texts = new TreeMap<>();
            Map<String, String> areas = new TreeMap<>();
            for (String area : AREAS) {
                String name = "/ktp/i18n/" + area + "_" + language.code() + ".properties";
                try (InputStream in = Catalogue.class.getResourceAsStream(name)) {
                    if (in == null) throw new IllegalStateException("the message catalogue lacks " + name);
                    Properties p = new Properties();
                    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                        p.load(r);
                    }
                    for (String key : p.stringPropertyNames()) {
                        String before = areas.put(key, area);
                        if (before != null) {
                            throw new IllegalStateException("message key " + key + " is in both " + before + " and " + area);
                        }
                        texts.put(key, p.getProperty(key));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the message catalogue " + name + ": " + e.getMessage(), e);
                }
            }
            all.put(language, texts);
            AREA_OF.put(language, areas);
        }
        return all;
    }
}

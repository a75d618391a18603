package ktp.i18n;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The catalogue is whole: every key in both languages, in its own area's file, each text a valid pattern. */
class CatalogueTest {
    @Test
    void everyKeyHasBothLanguages() {
        Set<String> onlyId = new TreeSet<>(Catalogue.keys(Language.ID));
        onlyId.removeAll(Catalogue.keys(Language.EN));
        Set<String> onlyEn = new TreeSet<>(Catalogue.keys(Language.EN));
        onlyEn.removeAll(Catalogue.keys(Language.ID));
        assertTrue(onlyId.isEmpty() && onlyEn.isEmpty(), "keys without English: " + onlyId + "; keys without Indonesian: " + onlyEn);
        assertFalse(Catalogue.keys(Language.ID).isEmpty(), "the catalogue is empty");
    }

    @Test
    void everyKeyLivesInItsAreaAndNoTextIsBlank() {
        List<String> wrong = new ArrayList<>();
        for (Language language : Language.values()) {
            Catalogue.areaOf(language).forEach((key, area) -> {
                if (!key.startsWith(area + ".")) wrong.add(language.code() + " " + key + " is in " + area + "_" + language.code() + ".properties");
                if (Catalogue.pattern(language, key).isBlank()) wrong.add(language.code() + " " + key + " is blank");
            });
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void bothLanguagesTakeTheSameArguments() {
        List<String> wrong = new ArrayList<>();
        for (String key : Catalogue.keys(Language.ID)) {
            int id = arguments(key, Language.ID, wrong);
            int en = arguments(key, Language.EN, wrong);
            if (id != en) wrong.add(key + ": Indonesian takes " + id + " arguments, English " + en);
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void aMissingKeyShowsItselfAndArgumentsAreFilledIn() {
        assertEquals("[console.no-such-key]", Catalogue.text(Language.EN, "console.no-such-key"));
        assertEquals("Request refused (the form's token is missing or wrong).", Catalogue.text(Language.EN, "console.csrf"));
        assertEquals("Antrean", Catalogue.text(Language.ID, "console.queue"));
        assertEquals(Language.EN, Language.of("en-US"));
        assertEquals(Language.ID, Language.of("fr"));
    }

    private static int arguments(String key, Language language, List<String> wrong) {
        String pattern = Catalogue.pattern(language, key);
        if (pattern == null) return -1;
        try {
            return new MessageFormat(pattern).getFormatsByArgumentIndex().length;
        } catch (IllegalArgumentException e) {
            wrong.add(language.code() + " " + key + " is not a valid MessageFormat pattern: " + e.getMessage());
            return -1;
        }
    }
}

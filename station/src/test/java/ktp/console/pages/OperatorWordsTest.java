package ktp.console.pages;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import ktp.job.JobState;
import ktp.printer.PrinterError;
import ktp.station.LaneState;
import ktp.store.BlankFate;
import ktp.store.Role;
import org.junit.jupiter.api.Test;

/**
 * Every code the console turns into words has them in both languages, and the Indonesian words are words,
 * not the code: a new state, fate, reason kind, role, lane state or printer error added without its texts
 * fails here (the pages themselves are checked for raw codes in ConsoleSecurityTest).
 */
class OperatorWordsTest {
    @Test
    void everyShownCodeHasIndonesianAndEnglishWords() {
        List<String> keys = new ArrayList<>();
        for (JobState s : JobState.values()) keys.add("console.state." + s.name());
        for (BlankFate f : BlankFate.values()) keys.add("console.fate." + f.name());
        for (ReasonKind k : ReasonKind.values()) keys.add("console.reason." + k.name());
        for (Role r : new Role[] {Role.OPERATOR, Role.SUPERVISOR, Role.TECHNICIAN}) keys.add("console.role." + r.name().toLowerCase(Locale.ROOT));
        for (LaneState.Kind k : LaneState.Kind.values()) keys.add("console.printerstate." + k.name());
        for (PrinterError e : PrinterError.values()) keys.add("console.printerstate." + e.name());
        for (ktp.counter.Visit.Poor p : ktp.counter.Visit.Poor.values()) if (p != ktp.counter.Visit.Poor.NONE) keys.add("console.visit.poor." + p.name());
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            for (Language l : Language.values()) {
                if (!Catalogue.keys(l).contains(key)) missing.add(key + " (" + l.code() + ")");
            }
            String id = Catalogue.text(Language.ID, key);
            String code = key.substring(key.lastIndexOf('.') + 1);
            // "operator" and "supervisor" are Indonesian words too; the codes are upper case.
            if (!key.startsWith("console.role.") && code.length() > 3 && id.equalsIgnoreCase(code.replace('_', ' '))) missing.add(key + " is the code itself in Indonesian: " + id);
        }
        assertTrue(missing.isEmpty(), "words missing: " + missing);
    }

    @Test
    void aPoorCaptureFindsItsKindFromTheVerificationsText() {
        assertEquals(ktp.counter.Visit.Poor.LITTLE_DETAIL, poor("place your finger again (only 4 usable minutiae)"));
        assertEquals(ktp.counter.Visit.Poor.WET, poor("place your finger again: the finger is too wet: dry it and place it again"));
        assertEquals(ktp.counter.Visit.Poor.DRY, poor("place your finger again: the finger is too dry: breathe on it and place it again"));
        assertEquals(ktp.counter.Visit.Poor.NO_IMAGE, poor("place your finger again: the module could not take an image (code 07): place the finger again"));
        assertEquals(ktp.counter.Visit.Poor.NONE, poor(""));
        assertEquals(4, new ktp.counter.Visit.Progress(1, "R", ktp.counter.Visit.Phase.RETAKE, 2, 1, 3, "place your finger again (only 4 usable minutiae)", null, "").minutiae());
    }

    private static ktp.counter.Visit.Poor poor(String text) {
        return new ktp.counter.Visit.Progress(1, "R", ktp.counter.Visit.Phase.RETAKE, 2, 1, 3, text, null, "").poor();
    }

    @Test
    void storedReasonsFindTheirKind() {
        assertEquals(ReasonKind.NO_MATCH, ReasonKind.of("no finger matched in 6 attempts (best score 12.0, threshold 40)"));
        assertEquals(ReasonKind.MATCHED, ReasonKind.of("finger 2 matched (score 81.0, attempt 1 of 6)"));
        assertEquals(ReasonKind.JAM, ReasonKind.of("JAM: Se answered 'ERR MECHANICAL'"));
        assertEquals(ReasonKind.NOT_GENUINE, ReasonKind.of("passive authentication failed: DG2 hash differs"));
        assertEquals(ReasonKind.OVERRIDE, ReasonKind.of("supervisor override: fingers worn"));
        assertEquals(ReasonKind.OTHER, ReasonKind.of("something nobody foresaw"));
    }
}

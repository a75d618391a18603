package ktp.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rooms' arrows point one way (docs/architecture.md): each room may use only the rooms listed for it, so an
 * import that runs up the layers (central -> station, report -> cli, render -> printer, card -> printer, as there
 * were) fails this test with the class and the dependency named. Run alone: mvn -q -pl station test -Dtest=LayeringTest
 */
class LayeringTest {
    /** Each room and the rooms it may use (besides itself, the JDK and the libraries). */
    static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("text", Set.of());
        // The operator message catalogue: words only, used by every room an operator reads (the station log's
        // operator lines too: ktp.i18n.StationLog, from the lanes, the printer, the encoder, the links, the store, the HTTP front).
        MAY_USE.put("i18n", Set.of());
        MAY_USE.put("http", Set.of("i18n"));
        // The lab's card reader for `station run` without pcscd (a javax.smartcardio provider): the JDK only.
        MAY_USE.put("lab", Set.of());
        // The files a technician edits; their problems in the catalogue's words (ktp.datafile.Words).
        MAY_USE.put("datafile", Set.of("i18n"));
        MAY_USE.put("lifecycle", Set.of());
        MAY_USE.put("job", Set.of("lifecycle"));
        MAY_USE.put("record", Set.of("lifecycle", "datafile", "text"));
        MAY_USE.put("store", Set.of("record", "job", "lifecycle", "datafile", "i18n"));
        MAY_USE.put("central", Set.of("record", "store", "job", "lifecycle", "datafile", "i18n"));
        MAY_USE.put("render", Set.of("record", "datafile"));
        MAY_USE.put("printer", Set.of("render", "datafile", "i18n"));
        MAY_USE.put("card", Set.of("record", "datafile", "i18n"));
        MAY_USE.put("biometric", Set.of("datafile"));
        // Backoff and Tls are the central link's, shared with the publisher rather than copied.
        MAY_USE.put("telemetry", Set.of("store", "job", "lifecycle", "record", "central", "datafile", "i18n"));
        // The production broker set-up (passwords, ACL) for the telemetry contract's topics.
        MAY_USE.put("broker", Set.of("telemetry", "datafile", "text"));
        MAY_USE.put("collector", Set.of("telemetry", "job", "lifecycle", "datafile"));
        // The Dinas's particulars on its papers (letterhead, place, officers and NIP, numbering): the reports' and the receipt's.
        MAY_USE.put("dinas", Set.of("datafile", "i18n"));
        MAY_USE.put("report", Set.of("dinas", "store", "record", "job", "lifecycle", "datafile", "i18n"));
        // The counter: a printed card meets its holder (chip check, finger, activation, override).
        MAY_USE.put("counter", Set.of("dinas", "datafile", "lifecycle", "job", "record", "store", "card", "biometric", "i18n"));
        MAY_USE.put("station", Set.of("dinas", "counter", "datafile", "lifecycle", "job", "record", "store", "central", "render", "printer", "card", "biometric", "telemetry", "i18n"));
        MAY_USE.put("console", Set.of("dinas", "counter", "datafile", "lifecycle", "job", "record", "store", "central", "render", "printer", "card", "biometric", "telemetry", "report", "station", "cli", "text", "http", "i18n"));
    }

    static JavaClasses stationClasses() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ktp");
    }

    /** The violations of the layering in {@code classes}, one line each ("" when there is none). */
    static String violations(JavaClasses imported) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Set<String>> room : MAY_USE.entrySet()) {
            String self = room.getKey();
            DescribedPredicate<JavaClass> allowed = new DescribedPredicate<>("outside ktp, or in ktp." + self + " or " + room.getValue()) {
                @Override
                public boolean test(JavaClass c) {
                    String pkg = c.getPackageName();
                    if (!pkg.equals("ktp") && !pkg.startsWith("ktp.")) return true;
                    String top = pkg.equals("ktp") ? "" : pkg.substring(4).split("\\.")[0];
                    return top.equals(self) || room.getValue().contains(top);
                }
            };
            EvaluationResult r = classes().that().resideInAPackage("ktp." + self + "..").should().onlyDependOnClassesThat(allowed)
                    .allowEmptyShould(true).evaluate(imported);
            for (String line : r.getFailureReport().getDetails()) out.append(self).append(": ").append(line).append('\n');
        }
        return out.toString();
    }

    @Test
    void everyRoomUsesOnlyTheRoomsBelowIt() {
        String v = violations(stationClasses());
        if (!v.isEmpty()) throw new AssertionError("arrows that run up the layers (docs/architecture.md):\n" + v);
    }

    @Test
    void everyRoomOfTheStationIsInTheMap() {
        List<String> unknown = stationClasses().stream().map(JavaClass::getPackageName).filter(p -> p.startsWith("ktp."))
                .map(p -> p.substring(4).split("\\.")[0]).distinct().filter(top -> !MAY_USE.containsKey(top) && !top.equals("cli")).toList();
        if (!unknown.isEmpty()) throw new AssertionError("rooms the layering does not place yet: " + unknown + "; add them to LayeringTest.MAY_USE");
    }
}

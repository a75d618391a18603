package ktp.office.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The office's arrows (docs/architecture.md, "The office"): the office uses the station module's telemetry contract
 * and nothing of the station's daemon, never the reverse; inside the office each room uses only the rooms listed
 * for it. A station class naming an office class, or the database room reaching into the dashboard, fails this test
 * with the class and the dependency named. Run alone: mvn -q -pl station,office test -Dtest=OfficeLayeringTest
 */
class OfficeLayeringTest {
    /** The station module's rooms the office may use: the telemetry contract and the types its messages carry. */
    static final Set<String> STATION_ROOMS = Set.of("telemetry", "job", "store", "record", "datafile", "lifecycle", "broker");

    /** Each office room and the office rooms it may use (besides itself, STATION_ROOMS, the JDK and the libraries). */
    static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("db", Set.of());
        MAY_USE.put("collect", Set.of("db"));
        MAY_USE.put("command", Set.of());
        MAY_USE.put("web", Set.of("command"));
        // ktp.office itself (the command line and office.yaml) starts every room; the bench measures them.
        MAY_USE.put("bench", Set.of("", "collect", "db", "web"));
    }

    static JavaClasses all() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ktp");
    }

    static String violations(JavaClasses imported) {
        StringBuilder out = new StringBuilder();
        // Never the reverse: nothing outside ktp.office depends on it (the station module is compiled without it anyway).
        EvaluationResult reverse = noClasses().that().resideOutsideOfPackage("ktp.office..").should().dependOnClassesThat().resideInAPackage("ktp.office..")
                .allowEmptyShould(true).evaluate(imported);
        for (String line : reverse.getFailureReport().getDetails()) out.append("station -> office: ").append(line).append('\n');
        for (Map.Entry<String, Set<String>> room : MAY_USE.entrySet()) {
            String self = room.getKey();
            DescribedPredicate<JavaClass> allowed = new DescribedPredicate<>("outside ktp, the station's " + STATION_ROOMS + ", or ktp.office." + self + " or " + room.getValue()) {
                @Override
                public boolean test(JavaClass c) {
                    String pkg = c.getPackageName();
                    if (!pkg.equals("ktp") && !pkg.startsWith("ktp.")) return true;
                    if (!pkg.equals("ktp.office") && !pkg.startsWith("ktp.office.")) return STATION_ROOMS.contains(pkg.substring(4).split("\\.")[0]);
                    String sub = pkg.equals("ktp.office") ? "" : pkg.substring("ktp.office.".length()).split("\\.")[0];
                    return sub.equals(self) || room.getValue().contains(sub);
                }
            };
            EvaluationResult r = classes().that().resideInAPackage("ktp.office." + self + "..").should().onlyDependOnClassesThat(allowed)
                    .allowEmptyShould(true).evaluate(imported);
            for (String line : r.getFailureReport().getDetails()) out.append("office.").append(self).append(": ").append(line).append('\n');
        }
        // The command line may use every office room, and of the station only its rooms above (not its daemon or CLI).
        DescribedPredicate<JavaClass> rootAllowed = new DescribedPredicate<>("outside ktp, ktp.office.., or the station's " + STATION_ROOMS) {
            @Override
            public boolean test(JavaClass c) {
                String pkg = c.getPackageName();
                if (!pkg.equals("ktp") && !pkg.startsWith("ktp.")) return true;
                return pkg.startsWith("ktp.office") || STATION_ROOMS.contains(pkg.substring(4).split("\\.")[0]);
            }
        };
        EvaluationResult root = classes().that().resideInAPackage("ktp.office").should().onlyDependOnClassesThat(rootAllowed).allowEmptyShould(true).evaluate(imported);
        for (String line : root.getFailureReport().getDetails()) out.append("office: ").append(line).append('\n');
        return out.toString();
    }

    @Test
    void theOfficeUsesTheStationsTelemetryContractAndItsRoomsPointOneWay() {
        JavaClasses imported = all();
        assertTrue(imported.contain("ktp.office.collect.OfficeCollector") && imported.contain("ktp.telemetry.TelemetryCodec"), "both modules' classes imported");
        assertEquals("", violations(imported));
    }

    @Test
    void aStationClassNamingTheOfficeFailsIt() {
        // A test fixture outside ktp.office (as a station class would be) that names an office class is reported.
        JavaClasses withOffender = new ClassFileImporter().importClasses(ktp.offender.StationClassNamingTheOffice.class, ktp.office.db.EventLedger.class);
        String v = violations(withOffender);
        assertTrue(v.contains("station -> office") && v.contains("StationClassNamingTheOffice"), v);
    }
}

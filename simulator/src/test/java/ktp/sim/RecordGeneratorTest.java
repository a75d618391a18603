package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.Defect;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.junit.jupiter.api.Test;

class RecordGeneratorTest {
    private static final LocalDate ISSUED = LocalDate.of(2026, 3, 2);
    private static final Clock CLOCK = Clock.fixed(LocalDate.of(2026, 11, 28).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    private static RecordValidator validator(DataCenterKey key) {
        return new RecordValidator(new TrustedKeys(Map.of(key.keyId(), key.keyPair().getPublic())), CLOCK);
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedDoesNot() {
        FingerprintLibrary lib = FingerprintLibrary.embedded();
        DataCenterKey key = DataCenterKey.fromSeed(5);
        assertEquals(key.keyId(), DataCenterKey.fromSeed(5).keyId());
        assertNotEquals(key.keyId(), DataCenterKey.fromSeed(6).keyId());
        RecordGenerator a = new RecordGenerator(5, lib, ISSUED);
        RecordGenerator b = new RecordGenerator(5, lib, ISSUED);
        RecordGenerator c = new RecordGenerator(6, lib, ISSUED);
        for (int i = 0; i < 4; i++) {
            byte[] ea = key.signRecord(a.next().record()).toJson();
            byte[] eb = DataCenterKey.fromSeed(5).signRecord(b.next().record()).toJson();
            byte[] ec = key.signRecord(c.next().record()).toJson();
            assertArrayEquals(ea, eb, "record " + i);
            assertFalse(java.util.Arrays.equals(ea, ec));
        }
    }

    @Test
    void generatedResidentsAreValidPlausibleAndDistinct() throws Exception {
        DataCenterKey key = DataCenterKey.fromSeed(11);
        RecordValidator validator = validator(key);
        RecordGenerator gen = new RecordGenerator(11, FingerprintLibrary.embedded(), ISSUED);
        Set<String> niks = new TreeSet<>();
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < 60; i++) {
            RecordGenerator.Resident r = gen.next();
            PrintRecord record = validator.validate(key.signRecord(r.record()).toJson()).record();
            assertTrue(niks.add(record.nik()), "duplicate NIK " + record.nik());
            names.add(record.front().nama());
            assertNotEquals(r.rightIndexFinger(), r.leftIndexFinger());
            int age = record.front().tanggalLahir().until(ISSUED).getYears();
            assertTrue(age >= 17 && age <= 80, "age " + age);
            assertEquals(2, record.fingerprints().get(0).position());
            assertEquals(7, record.fingerprints().get(1).position());
        }
        assertTrue(names.size() > 40, "names repeat too much: " + names.size());
    }

    @Test
    void everyDefectGetsExactlyItsReason() {
        DataCenterKey key = DataCenterKey.fromSeed(3);
        DataCenterKey other = DataCenterKey.fromSeed(4);
        RecordValidator validator = validator(key);
        RecordGenerator gen = new RecordGenerator(3, FingerprintLibrary.embedded(), ISSUED);
        for (Defect d : Defect.values()) {
            for (int i = 0; i < 3; i++) {
                byte[] bad = d.apply(gen.next().record(), key, other);
                RecordRejectedException e = assertThrows(RecordRejectedException.class, () -> validator.validate(bad), d.name());
                assertEquals(d.expected(), e.reason(), d + ": " + e);
            }
        }
    }

    @Test
    void templatesFromTheFullSharedSetAreIsoRecordsOfTheRightSize() throws Exception {
        FingerprintLibrary full = FingerprintLibrary.directory(SharedData.fingerprints(), 500);
        assertEquals(10, full.fingers().size());
        assertEquals(8, full.impressions("101").size());
        byte[] iso = full.isoTemplate("105", 1, 2);
        assertEquals("FMR", new String(iso, 0, 3));
        assertEquals(388, ((iso[14] & 0xff) << 8) | (iso[15] & 0xff), "width");
        assertEquals(374, ((iso[16] & 0xff) << 8) | (iso[17] & 0xff), "height");
        assertEquals(197, ((iso[18] & 0xff) << 8) | (iso[19] & 0xff), "500 dpi = 197 px/cm");
        assertEquals(2, iso[24]);
        // The same finger's other impression matches the template; another finger does not.
        var matcher = new com.machinezoo.sourceafis.FingerprintMatcher(com.machinezoo.sourceafis.FingerprintCompatibility.importTemplate(iso));
        assertTrue(matcher.match(full.template("105", 2)) >= 40);
        assertTrue(matcher.match(full.template("106", 2)) < 40);
    }

    @Test
    void theCommandWritesRecordsKeysSidecarAndFaultyRecords(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        int code = ktp.cli.Ktp.commandLine().execute("sim", "records", "--count", "4", "--seed", "9", "--out", dir.toString(),
                "--faulty", "1", "--issued", "2026-01-15", "--fingerprints", SharedData.fingerprints().toString());
        assertEquals(0, code);
        try (var files = Files.list(dir.resolve("records"))) {
            assertEquals(4, files.count());
        }
        TrustedKeys trust = TrustedKeys.loadDirectory(dir.resolve("trusted-keys"));
        RecordValidator validator = new RecordValidator(trust, CLOCK);
        try (var files = Files.list(dir.resolve("records"))) {
            for (Path p : files.toList()) assertEquals(LocalDate.of(2026, 1, 15), validator.validate(Files.readAllBytes(p)).record().issue().date());
        }
        var expected = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("faulty-expected.json").toFile());
        Map<String, String> seen = new TreeMap<>();
        expected.fields().forEachRemaining(e -> {
            RecordRejectedException ex = assertThrows(RecordRejectedException.class,
                    () -> validator.validate(Files.readAllBytes(dir.resolve("faulty").resolve(e.getKey()))));
            seen.put(e.getKey(), ex.reason().name());
            assertEquals(e.getValue().asText(), ex.reason().name(), e.getKey());
        });
        assertEquals(Defect.values().length, seen.size());
        assertTrue(Files.readString(dir.resolve("residents.json")).contains("\"fingers\""));
        assertEquals(2, ktp.cli.Ktp.commandLine().execute("sim", "records", "--count", "-1", "--out", dir.toString()));
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = ktp.cli.Ktp.commandLine();
        cl.setErr(new java.io.PrintWriter(err, true));
        assertEquals(2, cl.execute("sim", "records", "--out", dir.toString(), "--issued", "2026-13-01"));
        assertTrue(err.toString().contains("'2026-13-01' is not a date in the form YYYY-MM-DD"), err.toString());
        assertEquals(2, ktp.cli.Ktp.commandLine().execute("sim", "records", "--out", dir.toString(), "--fingerprints", dir.resolve("nope").toString()));
    }
}

package ktp.render;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import ktp.datafile.DataFileException;
import ktp.printer.PrinterProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profiles and templates a technician edits: each mistake is reported with the file, the field and the problem. */
class DataFilesTest {
    static final Path REPO = CardRendererTest.REPO;

    @TempDir
    Path dir;

    private Path profile(String name, String from, String to) throws Exception {
        String text = Files.readString(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml")).replace(from, to);
        Path p = dir.resolve(name + ".yaml");
        Files.writeString(p, text.replace("id: evolis-primacy-dual-ymcko", "id: " + name));
        return p;
    }

    private static DataFileException profileFails(Path p) {
        return assertThrows(DataFileException.class, () -> PrinterProfile.load(p));
    }

    @Test
    void everyShippedProfileAndTemplateLoads() throws Exception {
        try (var files = Files.list(REPO.resolve("firmware-profiles/printers"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) assertNotNull(PrinterProfile.load(p), p.toString());
        }
        assertEquals("ktpel", CardTemplate.load(REPO.resolve("templates/ktpel.yaml")).name());
    }

    @Test
    void profileMistakesNameFileFieldAndProblem() throws Exception {
        DataFileException e = profileFails(profile("p1", "  - { name: K, bits: 1 }", "  - { name: K, bits: 4 }"));
        assertTrue(e.getMessage().startsWith(dir.resolve("p1.yaml").toString()), e.getMessage());
        assertEquals("panels[3].bits", e.field());
        assertTrue(e.getMessage().contains("1 bit"), e.getMessage());

        assertEquals("raster.dpi", profileFails(profile("p2", "dpi: 300", "dpi: 3000")).field());
        assertEquals("raster.width", profileFails(profile("p3", "width: 1016", "width: wide")).field());
        assertEquals("dialect", profileFails(profile("p4", "dialect: evolis", "dialect: zebra")).field());
        assertEquals("ribon", profileFails(profile("p5", "ribbon: ymcko", "ribbon: ymcko\nribon: ymcko")).field());
        assertEquals("overlay_holes[0]", profileFails(profile("p6", "x_mm: 8.0", "x_mm: 80.0")).field());
        assertEquals("panels", profileFails(profile("p7", "  - { name: M, bits: 6 }\n", "")).field());
        assertEquals("encoder", profileFails(profile("p8", "encoder: { station: contact, offset_dots: 1158 }", "")).field());
        assertEquals("replies.paper_out", profileFails(profile("p11", "  jam: \"ERR MECHANICAL\"", "  jam: \"ERR MECHANICAL\"\n  paper_out: \"ERR PAPER\"")).field());
        assertEquals("simulator.seconds_per_panel", profileFails(profile("p12", "seconds_per_panel: 3.5", "seconds_per_panel: -1")).field());
        Path wrongId = dir.resolve("p9.yaml");
        Files.writeString(wrongId, Files.readString(REPO.resolve("firmware-profiles/printers/evolis-zenius-mono.yaml")));
        assertEquals("id", profileFails(wrongId).field());
        Path notYaml = dir.resolve("p10.yaml");
        Files.writeString(notYaml, "id: [unclosed\n");
        assertTrue(profileFails(notYaml).getMessage().contains("not valid YAML"));
        DataFileException unknown = assertThrows(DataFileException.class, () -> PrinterProfile.resolve(REPO.resolve("firmware-profiles/printers"), "no-such-printer"));
        assertTrue(unknown.getMessage().contains("evolis-zenius-mono"), "lists the known profiles: " + unknown.getMessage());
    }

    private Path template(String from, String to) throws Exception {
        String text = Files.readString(REPO.resolve("templates/ktpel.yaml"));
        assertTrue(text.contains(from), from);
        Path p = REPO.resolve("templates").resolve("test-" + Long.toHexString(System.nanoTime()) + ".yaml");
        Files.writeString(p, text.replace(from, to));
        return p;
    }

    private static DataFileException templateFails(Path p) {
        try {
            return assertThrows(DataFileException.class, () -> CardTemplate.load(p));
        } finally {
            try {
                Files.deleteIfExists(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void templateMistakesNameFileFieldAndProblem() throws Exception {
        DataFileException e = templateFails(template("value: \"{nama}\"", "value: \"{name}\""));
        assertTrue(e.field().matches("sides\\.front\\.elements\\[\\d+]\\.value"), e.field());
        assertTrue(e.getMessage().contains("unknown field {name}"), e.getMessage());
        assertTrue(templateFails(template("w_mm: 81.6, h_mm: 3.4, font: bold, size_pt: 8, min_size_pt: 5.5, align: center }\n      - { id: kabupaten",
                "w_mm: 90.0, h_mm: 3.4, font: bold, size_pt: 8, min_size_pt: 5.5, align: center }\n      - { id: kabupaten")).field().endsWith(".w_mm"));
        assertTrue(templateFails(template("size_pt: 10, min_size_pt: 8", "size_pt: 10, min_size_pt: 12")).field().endsWith("min_size_pt"));
        assertTrue(templateFails(template("type: qr,", "type: qr, panel: COLOUR,")).getMessage().contains("K panel"));
        assertTrue(templateFails(template("font: bold, size_pt: 10 }", "font: bold, size_pt: 10, colour: red }")).getMessage().contains("unknown field"));
        assertEquals("fonts.regular", templateFails(template("fonts/DejaVuSans.ttf", "fonts/Missing.ttf")).field());
        assertEquals("card", templateFails(template("width_mm: 85.60", "width_mm: 85.20")).field());
        assertTrue(templateFails(template("id: nik-label,", "id: provinsi,")).getMessage().contains("used twice"));
    }
}

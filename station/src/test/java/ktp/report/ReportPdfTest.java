package ktp.report;

import ktp.dinas.ReportSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import ktp.datafile.DataFileException;
import ktp.i18n.Language;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.Role;
import ktp.store.StationStore;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports a Dinas files, as the Dinas sees them: each PDF is rendered to PNG images (PDFBox's renderer) that
 * must carry ink where the letterhead and the signatures are, and its text read back must hold the letterhead,
 * the document number, the officers' names and NIP, the place and date line and the deliveries' references, in
 * Indonesian and, selected, in English. Run alone: mvn -q -pl station test -Dtest=ReportPdfTest
 */
class ReportPdfTest {
    private static final ZoneId WIB = ZoneId.of("Asia/Jakarta");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T03:00:00Z"), ZoneOffset.UTC);
    private static final LocalDate DAY = LocalDate.of(2026, 12, 1);
    private static final Actor SARI = new Actor("sari", Role.OPERATOR);

    @TempDir
    Path dir;
    private ReportSettings settings;

    @BeforeEach
    void stationWithItsReportSection() throws Exception {
        Path yaml = dir.resolve("station.yaml");
        Files.writeString(yaml, """
                station: {id: ST-BDG-01, store: store}
                report:
                  language: id
                  letterhead: |
                    PEMERINTAH KABUPATEN BANDUNG
                    DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
                    Jl. Raya Soreang No. 1, Soreang 40911, Telp. (022) 5891234
                  place: Soreang
                  document_number: "470/{kind}/{station}/{mm_roman}/{yyyy}"
                  officers:
                    - {user: sari, name: Sari Wulandari, nip: "19870312 201001 2 003"}
                    - {user: ani, name: Ani Rahmawati, nip: "197905212006042011"}
                    - {user: dedi, name: Dedi Kurniawan, nip: "198811022015031004"}
                  supervisor: ani
                  witness: dedi
                """);
        settings = ReportSettings.load(yaml);
    }

    private StationStore storeWithADay() {
        StationStore s = StationStore.open(dir.resolve("store"), "ST-BDG-01", CLOCK);
        s.blanksLoaded(40, "SJ-2026/12/001 Dinas Dukcapil Prov. Jabar", SARI);
        s.blanksLoaded(10, "SJ-2026/12/007", SARI);
        s.admit("R1", 1, "3273014506900001", "{\"e\":1}".getBytes(), Actor.STATION);
        s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
        s.transition("R1", JobState.ENCODING, Actor.STATION, "", "04AA000001");
        s.transition("R1", JobState.ENCODED, Actor.STATION, "", null);
        s.transition("R1", JobState.PRINTING, Actor.STATION, "", null);
        s.transition("R1", JobState.PRINTED, SARI, "", null);
        s.admit("R2", 1, "3273010101900002", "{\"e\":2}".getBytes(), Actor.STATION);
        s.transition("R2", JobState.VALIDATED, Actor.STATION, "", null);
        s.transition("R2", JobState.ENCODING, Actor.STATION, "", "04AA000002");
        s.transition("R2", JobState.SPOILED, Actor.STATION, "chip: writing DG1: the chip answered 6581", null);
        return s;
    }

    @Test
    void theDailyReportCarriesLetterheadNumberPlaceDateAndTheOfficersNip() throws Exception {
        byte[] pdf;
        try (StationStore s = storeWithADay()) {
            pdf = ReportPdf.daily(DailyReport.of(s, DAY, WIB, CLOCK.instant()), settings);
        }
        String text = renderAndRead(pdf, "daily-id", 1);
        assertTrue(text.contains("PEMERINTAH KABUPATEN BANDUNG"), text);
        assertTrue(text.contains("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"), text);
        assertTrue(text.contains("Nomor: 470/LH/ST-BDG-01/XII/2026"), text);
        assertTrue(text.contains("Laporan Harian Penerbitan KTP-el"), text);
        assertTrue(text.contains("Soreang, 1 Desember 2026"), "place and date line in Indonesian: " + text);
        assertTrue(text.contains("(Sari Wulandari)") && text.contains("NIP. 19870312 201001 2 003"), "the operator who printed signs: " + text);
        assertTrue(text.contains("(Ani Rahmawati)") && text.contains("NIP. 19790521 200604 2 011"), "the supervisor signs: " + text);
        assertTrue(text.contains("Kartu dicetak 1"), text);
        assertFalse(text.contains("operator:sari"), "names, not accounts, under the signatures and in the table: " + text);
        assertFalse(text.contains("Cards printed"), "Indonesian only: " + text);
    }

    @Test
    void theReconciliationListsDeliveriesHasADifferenceBoxAndItsBeritaAcaraIsItsOwnNumberedDocument() throws Exception {
        byte[] pdf;
        try (StationStore s = storeWithADay()) {
            pdf = ReportPdf.reconciliation(Reconciliation.of(s, DAY, DAY, WIB, OptionalInt.of(47), CLOCK.instant()), settings);
        }
        String text = renderAndRead(pdf, "reconciliation-id", 2);
        assertTrue(text.contains("SJ-2026/12/001") && text.contains("SJ-2026/12/007"), "each delivery with its reference: " + text);
        assertTrue(text.contains("Nomor: 470/RB/ST-BDG-01/XII/2026"), text);
        assertTrue(text.contains("Selisih -1 (harus dijelaskan)"), "50 in, 2 taken, 47 counted: " + text);
        assertTrue(text.contains("Penjelasan selisih"), "the box to explain it: " + text);
        assertTrue(text.contains("Berita Acara Pemusnahan Blangko KTP-el Rusak"), text);
        assertTrue(text.contains("Nomor: 470/BA/ST-BDG-01/XII/2026"), text);
        assertTrue(text.contains("Selasa, 1 Desember 2026") && text.contains("bertempat di Soreang"), text);
        assertTrue(text.contains("04AA000002") && text.contains("6581"), "the spoiled blank and why: " + text);
        assertTrue(text.contains("(Dedi Kurniawan)") && text.contains("NIP. 19881102 201503 1 004"), "the witness signs the berita acara: " + text);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            PDFTextStripper last = new PDFTextStripper();
            last.setStartPage(doc.getNumberOfPages());
            last.setEndPage(doc.getNumberOfPages());
            String page = last.getText(doc);
            assertTrue(page.contains("Berita Acara") && page.contains("PEMERINTAH KABUPATEN BANDUNG"), "the berita acara on its own page under the letterhead: " + page);
        }
    }

    @Test
    void englishIsSelectableAndAStationWithoutAReportSectionStillGetsAFileableShape() throws Exception {
        byte[] en;
        byte[] bare;
        try (StationStore s = storeWithADay()) {
            Reconciliation r = Reconciliation.of(s, DAY, DAY, WIB, OptionalInt.of(48), CLOCK.instant());
            en = ReportPdf.reconciliation(r, settings.withLanguage(Language.EN));
            bare = ReportPdf.daily(DailyReport.of(s, DAY, WIB, CLOCK.instant()), ReportSettings.DEFAULT);
        }
        String text = renderAndRead(en, "reconciliation-en", 2);
        assertTrue(text.contains("Number: 470/RB/ST-BDG-01/XII/2026") && text.contains("Soreang, 1 December 2026"), text);
        assertTrue(text.contains("Difference 0 (reconciled)") && text.contains("NIP 19870312 201001 2 003"), text);
        assertFalse(text.contains("Selisih"), text);
        String plain = renderAndRead(bare, "daily-bare", 1);
        assertTrue(plain.contains("Nomor: LH/ST-BDG-01/2026/12/01"), "the default number: " + plain);
        assertTrue(plain.contains("NIP. ....................."), "a NIP line to fill in by hand: " + plain);
    }

    @Test
    void aBadReportSectionNamesTheKeyAndWhatToWrite() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "report:\n  officers:\n    - {user: sari, name: Sari, nip: '1987'}\n");
        DataFileException e = assertThrows(DataFileException.class, () -> ReportSettings.load(yaml));
        assertTrue(e.getMessage().contains("report.officers[0].nip") && e.getMessage().contains("18 digits"), e.getMessage());
        Files.writeString(yaml, "report:\n  document_number: '470/{nomor}/{yyyy}'\n");
        e = assertThrows(DataFileException.class, () -> ReportSettings.load(yaml));
        assertTrue(e.getMessage().contains("{nomor}") && e.getMessage().contains("{mm_roman}"), e.getMessage());
        Files.writeString(yaml, "report:\n  supervisor: budi\n");
        e = assertThrows(DataFileException.class, () -> ReportSettings.load(yaml));
        assertTrue(e.getMessage().contains("report.supervisor"), e.getMessage());
    }

    /**
     * Every page rendered to a PNG (kept in target/report-images for a person to look at), each one with ink on
     * it, the top band inked where a letterhead is printed; then the document's text as a reader extracts it.
     */
    private String renderAndRead(byte[] pdf, String name, int minPages) throws Exception {
        Path images = Path.of("target", "report-images");
        Files.createDirectories(images);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            assertTrue(doc.getNumberOfPages() >= minPages, name + ": " + doc.getNumberOfPages() + " pages");
            PDFRenderer renderer = new PDFRenderer(doc);
            for (int p = 0; p < doc.getNumberOfPages(); p++) {
                BufferedImage img = renderer.renderImageWithDPI(p, 72);
                Path png = images.resolve(name + "-" + (p + 1) + ".png");
                ImageIO.write(img, "png", png.toFile());
                BufferedImage back = ImageIO.read(png.toFile());
                assertEquals(img.getWidth(), back.getWidth());
                assertTrue(dark(back, 0, back.getHeight()) > 2000, name + " page " + (p + 1) + " is blank");
                if (!name.endsWith("bare")) assertTrue(dark(back, 0, 110) > 500, name + " page " + (p + 1) + ": no letterhead at the top");
            }
            return new PDFTextStripper().getText(doc).replaceAll("[ \\t]+", " ");
        }
    }

    private static int dark(BufferedImage img, int fromY, int toY) {
        int n = 0;
        for (int y = fromY; y < Math.min(toY, img.getHeight()); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF) < 300) n++;
            }
        }
        return n;
    }
}

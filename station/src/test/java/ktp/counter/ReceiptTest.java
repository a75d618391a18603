package ktp.counter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

/** The tanda terima's text: the letterhead, number, place and date, the officer's name and NIP, and the proxy when there is one. */
class ReceiptTest {
    private static final Instant AT = Instant.parse("2026-12-01T03:15:00Z"); // 10:15 WIB

    private static String text(Receipt.Contents c) throws Exception {
        try (PDDocument doc = Loader.loadPDF(Receipt.pdf(c, ktp.datafile.Home.templates().resolve("fonts")))) {
            return new PDFTextStripper().getText(doc);
        }
    }

    @Test
    void underTheLetterheadWithItsNumberPlaceDateAndTheOfficersNip() throws Exception {
        String t = text(new Receipt.Contents(List.of("PEMERINTAH KABUPATEN BANDUNG", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "Jl. Raya Soreang No. 1"),
                "470/TT/ST-01/XII/2026/PRR-1", "PRR-1", "3204014101900001", "SITI AMINAH", "04AABBCCDDEEFF", "ST-01", "Soreang", AT,
                "Sari Wulandari", "19870312 201001 2 003", Receipt.Collector.holder()));
        for (String want : List.of("PEMERINTAH KABUPATEN BANDUNG", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "Nomor: 470/TT/ST-01/XII/2026/PRR-1",
                "01-12-2026 10:15 WIB, Soreang", "Soreang, 1 Desember 2026", "(Sari Wulandari)", "NIP 19870312 201001 2 003", "(SITI AMINAH)", "pemilik sendiri")) {
            assertTrue(t.contains(want), "the receipt has '" + want + "':\n" + t);
        }
        assertFalse(t.contains("kuasa"), "no proxy");
    }

    @Test
    void withoutANipADottedLineAndAProxyByName() throws Exception {
        String t = text(new Receipt.Contents(List.of(), "TT/ST-01/2026/12/01/PRR-2", "PRR-2", "3204014101900002", "BUDI", "04AA", "ST-01", "ST-01", AT,
                "operator:sari", "", new Receipt.Collector(true, "3171014509870002", "Siti Rahmawati", "suami/istri")));
        for (String want : List.of("Nomor: TT/ST-01/2026/12/01/PRR-2", "NIP ....", "(Siti Rahmawati)", "3171014509870002", "suami/istri", "Yang menerima (kuasa)")) {
            assertTrue(t.contains(want), "the receipt has '" + want + "':\n" + t);
        }
    }
}

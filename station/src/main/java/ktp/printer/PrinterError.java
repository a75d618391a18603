package ktp.printer;

/** What can stop a card printer, and what the station does about it (docs/printer-protocol.md). */
public enum PrinterError {
    FEEDER_EMPTY(false, "Feeder empty: load blank cards", "Pengumpan kosong: isi blanko kartu"),
    RIBBON_OUT(true, "Ribbon finished: replace the ribbon", "Pita habis: ganti pita"),
    COVER_OPEN(true, "Cover open: close the printer's cover", "Penutup terbuka: tutup penutup printer"),
    JAM(true, "Card jam: open the printer and remove the card (it is spoiled)", "Kartu macet: buka printer dan keluarkan kartu (rusak)"),
    REJECT_BOX_FULL(false, "Reject box full: empty it (keep the spoiled cards for the destruction record)", "Kotak tolak penuh: kosongkan (simpan kartu rusak untuk berita acara)"),
    HEAD_TEMPERATURE(false, "Print head too hot: printing resumes when it has cooled", "Kepala cetak terlalu panas: pencetakan lanjut setelah dingin"),
    REFUSED(true, "The printer refused a command: check the printer profile", "Printer menolak perintah: periksa profil printer"),
    NO_ANSWER(true, "The printer does not answer: check its cable and power", "Printer tidak menjawab: periksa kabel dan daya"),
    /** Not the printer's own error: the chip encoder it needs is missing or still holds a card; no blank was taken. */
    ENCODER_NOT_READY(false, "Chip encoder not ready: check the encoder's reader and its cable (no blank was taken)",
            "Encoder chip belum siap: periksa pembaca encoder dan kabelnya (tidak ada blanko yang diambil)");

    private final boolean spoilsCardInside;
    private final String operatorEn;
    private final String operatorId;

    PrinterError(boolean spoilsCardInside, String operatorEn, String operatorId) {
        this.spoilsCardInside = spoilsCardInside;
        this.operatorEn = operatorEn;
        this.operatorId = operatorId;
    }

    /** Whether a card inside the printer when this happens must be treated as spoiled (sent to the reject box, reprinted). */
    public boolean spoilsCardInside() { return spoilsCardInside; }

    public String operatorMessage() { return operatorEn; }

    public String operatorMessageId() { return operatorId; }
}

package ktp.lifecycle;

/**
 * Every national status of the KTP-el flow, each with its phase, who is responsible for it, and a short
 * explanation in Indonesian and English. The Indonesian text is condensed from the seed document
 * (shared/reference/ktpel-status-flow-id.txt, source: Disdukcapil Pontianak); the English is a translation.
 */
public enum NationalStatus {
    UNREGISTERED(Phase.INITIATION, Responsibility.REGIONAL,
            "NIK sudah ada di SIAK dan sudah wajib KTP, tetapi belum terdaftar di aplikasi enrollment KTP-el (belum ada data perekaman).",
            "The NIK exists in SIAK and the resident is of KTP age, but is not yet registered in the KTP-el enrolment application (no biometrics captured)."),
    BIO_CAPTURED(Phase.CAPTURE, Responsibility.REGIONAL,
            "Perekaman selesai (foto, sidik jari, iris, tanda tangan); data belum terkirim ke Data Center.",
            "Capture done (photo, fingerprints, iris, signature); the data has not yet been sent to the data center."),
    PROCESSING(Phase.CAPTURE, Responsibility.REGIONAL,
            "Data diproses untuk dikirim ke Data Center.",
            "The data is being processed for sending to the data center."),
    SENT_FOR_ENROLLMENT(Phase.SENDING, Responsibility.REGIONAL,
            "Data perekaman dikirim dari server KTP-el daerah ke Data Center Kemendagri melalui jalur private; lamanya tidak tentu (1 hari sampai 20 hari atau lebih).",
            "The capture data is sent from the regional KTP-el server to the ministry's data center over the private network; how long it takes cannot be known (1 day to 20 days or more)."),
    RECEIVED_AT_CENTRAL(Phase.SENDING, Responsibility.CENTRAL,
            "Data diterima di Data Center.",
            "The data has been received at the data center."),
    ENROLL_FAILURE_AT_CENTRAL(Phase.CHECKING, Responsibility.CENTRAL,
            "Hasil verifikasi biometrik di pusat tidak lengkap atau tidak terbaca.",
            "Biometric verification at the center found the data incomplete or unreadable."),
    SEARCH_FAILURE_AT_CENTRAL(Phase.CHECKING, Responsibility.CENTRAL,
            "Pencarian data gagal dilakukan oleh Data Center.",
            "The data center failed to search the data."),
    ENROLL_FAILURE_AT_REGIONAL(Phase.CHECKING, Responsibility.CENTRAL,
            "Hasil verifikasi biometrik di kabupaten/kota tidak lengkap atau tidak terbaca; data tidak terkirim karena kesalahan kode area perekaman di daerah.",
            "Biometric verification at the regency/city was incomplete or unreadable; the data was not sent because of a wrong capture area code at the region."),
    PACKET_ENTRY(Phase.CHECKING, Responsibility.CENTRAL,
            "Paket data dikirim ulang.",
            "The data packet has been sent again."),
    SENT_FOR_DEDUP(Phase.CHECKING, Responsibility.CENTRAL,
            "Data dikirim untuk penunggalan data (de-duplikasi).",
            "The data has been sent for de-duplication."),
    DUPLICATE_RECORD(Phase.DEDUPLICATION, Responsibility.CENTRAL,
            "Data ganda: biometrik yang sama terekam dengan NIK berbeda (one to one atau one to many).",
            "Duplicate record: the same biometrics were captured under a different NIK (one to one, or one to many)."),
    ADJUDICATE_RECORD(Phase.DEDUPLICATION, Responsibility.CENTRAL,
            "Sidik jari yang terkirim sedang diverifikasi dan ada kemiripan (antara sama atau berbeda).",
            "The fingerprints sent are being verified and resemble another record (they may be the same person or not)."),
    REQUEST_VALIDATION(Phase.DEDUPLICATION, Responsibility.CENTRAL,
            "Hasil verifikasi di pusat perlu divalidasi oleh kabupaten/kota, misalnya komposisi NIK laki-laki tetapi kolom jenis kelamin perempuan.",
            "The center's verification must be validated by the regency/city, for example a NIK that encodes a man while the sex field says woman."),
    REQUEST_FOR_DELETION(Phase.DEDUPLICATION, Responsibility.REGIONAL,
            "Disdukcapil kabupaten/kota mengajukan penghapusan data perekaman yang bermasalah ke pusat (diproses melalui aplikasi DELLICA).",
            "The regency/city Disdukcapil asks the center to delete the problematic capture data (processed through the DELLICA application)."),
    PRINT_READY_RECORD(Phase.PRINTING, Responsibility.REGIONAL,
            "Data siap dicetak: sudah dipastikan tunggal di Data Center dan dapat dicetak di daerah.",
            "Ready to print: the data is confirmed unique at the data center and can be printed at the region."),
    SENT_FOR_CARD_PRINTING(Phase.PRINTING, Responsibility.REGIONAL,
            "Data dikirim untuk dicetak KTP elektronik di daerah.",
            "The data has been sent for printing the electronic ID card at the region."),
    CARD_SHIPPED(Phase.PRINTING, Responsibility.REGIONAL,
            "Data sudah dikirim ke daerah.",
            "The data has been shipped to the region."),
    CARD_PRINTED(Phase.PRINTING, Responsibility.REGIONAL,
            "KTP elektronik sudah dicetak.",
            "The electronic ID card has been printed."),
    CARD_ISSUED(Phase.PRINTING, Responsibility.REGIONAL,
            "KTP-el sudah dicetak dan sidik jari pemiliknya sudah diaktivasi.",
            "The KTP-el has been printed and activated with its holder's fingerprint.");

    private final Phase phase;
    private final Responsibility responsibility;
    private final String explanationId;
    private final String explanationEn;

    NationalStatus(Phase phase, Responsibility responsibility, String explanationId, String explanationEn) {
        this.phase = phase;
        this.responsibility = responsibility;
        this.explanationId = explanationId;
        this.explanationEn = explanationEn;
    }

    public Phase phase() { return phase; }
    public Responsibility responsibility() { return responsibility; }
    public String explanationId() { return explanationId; }
    public String explanationEn() { return explanationEn; }

    /** Parses a status name as the data center writes it; the error names the unknown value. */
    public static NationalStatus parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace(' ', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown national status '" + name + "'");
        }
    }
}

package ktp.lifecycle;

/** The six phases of a KTP-el record, as the national status flow names them. */
public enum Phase {
    INITIATION(1, "Fase awal / inisiasi", "Initiation"),
    CAPTURE(2, "Fase perekaman", "Capture"),
    SENDING(3, "Fase pengiriman data", "Sending"),
    CHECKING(4, "Fase pengecekan data", "Checking"),
    DEDUPLICATION(5, "Fase penunggalan data", "De-duplication"),
    PRINTING(6, "Fase pencetakan", "Printing");

    private final int number;
    private final String nameId;
    private final String nameEn;

    Phase(int number, String nameId, String nameEn) {
        this.number = number;
        this.nameId = nameId;
        this.nameEn = nameEn;
    }

    public int number() { return number; }
    public String nameId() { return nameId; }
    public String nameEn() { return nameEn; }
}

package ktp.offender;

/** For OfficeLayeringTest only: a class outside ktp.office that names an office class, as a station class must never. */
public final class StationClassNamingTheOffice {
    public static String collector(ktp.office.db.EventLedger ledger) { return ledger.collector(); }

    private StationClassNamingTheOffice() {}
}

package ktp.printer;

/**
 * The chip encoder the printer parks a card under (its contact station). The chip issue implements it over
 * PC/SC; the printer driver only calls it between moving the card there and printing, so a bad chip costs
 * no ribbon.
 */
public interface ChipStation {
    /** Personalises the chip of the card now at the station; returns its UID, the blank's id in the ledger. */
    String encode(String recordId) throws ChipFailure;

    /**
     * As {@link #encode(String)}, handing the chip's UID to {@code identified} as soon as the chip has answered
     * with it, before anything is written to it: the blank is in the ledger before the long write, so a station
     * killed during it still accounts for that blank (StationCrashTest once found one that was not). This default
     * can only tell it afterwards.
     */
    default String encode(String recordId, java.util.function.Consumer<String> identified) throws ChipFailure {
        String uid = encode(recordId);
        identified.accept(uid);
        return uid;
    }

    /**
     * Why no blank should be taken for this station now (its reader is missing, a card is still in it), checked at
     * protocol level just before the printer takes a blank; empty when it is ready.
     */
    default java.util.Optional<String> notReady() { return java.util.Optional.empty(); }

    /** The chip could not be personalised: {@code uid} is known when the chip answered at all. */
    final class ChipFailure extends Exception {
        private final String uid;

        public ChipFailure(String uid, String message) {
            super(message);
            this.uid = uid;
        }

        public String uid() { return uid; }
    }
}

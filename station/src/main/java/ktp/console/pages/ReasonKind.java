package ktp.console.pages;

/**
 * The kind of a stored reason, told from its technical text: the catalogue has one operator sentence per
 * kind (console.reason.KIND), the exact text is kept beside it. Order matters: the first match wins.
 */
enum ReasonKind {
    OVERRIDE("supervisor override"),
    NO_MATCH("no finger matched"),
    MATCHED("matched (score"),
    NOT_GENUINE("passive authentication failed", "not genuine"),
    WRONG_CARD("is not the one printed"),
    ACTIVATE_FAILED("did not accept ACTIVATE"),
    JAM("JAM", "jam", "MECHANICAL"),
    CHIP("chip answered", "chip", "APDU", "encod"),
    PRINTER("printer", "ribbon", "feeder", "reject"),
    REPRINT("reprint"),
    RESTART("restart", "resum", "recover"),
    VALIDATION("signature", "record", "expired", "invalid", "version"),
    LEASE("lease", "released", "data center", "handed back"),
    OTHER();

    private final String[] marks;

    ReasonKind(String... marks) { this.marks = marks; }

    static ReasonKind of(String text) {
        for (ReasonKind k : values()) {
            for (String m : k.marks) if (text.contains(m)) return k;
        }
        return OTHER;
    }
}

package ktp.i18n;

/**
 * The words of the station log's operator lines (what the daemon logs at INFO, WARN and ERROR for the person
 * reading {@code journalctl}): the catalogue's "station.log." texts in the station's configured language
 * ({@code station.language}, Indonesian by default). The technical detail (ids, device replies, an exception's class
 * and message) is passed in as arguments, each put in as its plain text (no digit grouping, nothing translated),
 * and the stack trace stays the logger's own last argument.
 *
 * <p>One language per process: a station's daemon is one per JVM, and its lanes, links and devices are built deep
 * below it; a field here spares every one of them a parameter. A test running two daemons at once in one JVM reads
 * the language the last one started with. DEBUG lines and the libraries' own lines are not translated.
 */
public final class StationLog {
    private static volatile Language language = Language.ID;

    private StationLog() {}

    /** The station's configured language, set by the daemon as it starts. */
    public static void use(Language chosen) { language = chosen == null ? Language.ID : chosen; }

    /** The language the operator lines are written in now. */
    public static Language language() { return language; }

    /**
     * The line for {@code key} (without its "station.log." prefix) with {@code args} in it as plain text. Give the
     * logger the result and, after it, the throwable whose stack trace belongs to the line.
     */
    public static String line(String key, Object... args) {
        Object[] plain = new Object[args.length];
        for (int i = 0; i < args.length; i++) plain[i] = args[i] == null ? "" : args[i] instanceof Throwable t ? said(t) : String.valueOf(args[i]);
        return Catalogue.text(language, "station.log." + key, plain);
    }

    /** A throwable's message for a line: in the station's language when it has catalogue words, else its own. */
    public static String why(Throwable t) {
        return t instanceof OperatorWords w ? w.message(language) : String.valueOf(t.getMessage());
    }

    // A throwable as an argument: its class and its message (as toString() gives them), the message in the station's language.
    private static String said(Throwable t) {
        return t instanceof OperatorWords w ? t.getClass().getName() + ": " + w.message(language) : t.toString();
    }

    /** Of a text that comes in both languages (a lane's or a printer error's message), the one for the log. */
    public static String pick(String english, String indonesian) {
        return language == Language.EN || indonesian == null || indonesian.isEmpty() ? english : indonesian;
    }

    /** A job state as the console names it, with its code after it for a search ("Menunggu pemilik (AWAITING_HOLDER)"). */
    public static String state(Object state) {
        String name = String.valueOf(state);
        String key = "console.state." + name;
        return Catalogue.has(key) ? Catalogue.text(language, key) + " (" + name + ")" : name;
    }
}

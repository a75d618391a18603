package ktp.record;

/** A record that must not be printed: a stable reason code, the field at fault, and a readable message. */
public final class RecordRejectedException extends Exception {
    private final Reason reason;
    private final String field;

    /**
     * The message and field are made safe to show here, once ({@link ktp.text.SafeText}): they often quote what
     * the record holds, and they travel to the store, telemetry, the console, logs and reports.
     */
    public RecordRejectedException(Reason reason, String field, String message) {
        super(ktp.text.SafeText.escape(message));
        this.reason = reason;
        this.field = ktp.text.SafeText.escape(field == null ? "" : field);
    }

    public Reason reason() { return reason; }

    /** The JSON path of the field at fault (for example {@code front.nama}), or "" when none applies. */
    public String field() { return field; }

    @Override
    public String toString() {
        return reason + (field.isEmpty() ? "" : " [" + field + "]") + ": " + getMessage();
    }
}

package ktp.text;

/**
 * Text from outside the station (a record, a QR code, a card, a file, the network) made safe to show: every
 * character that is not a visible one is written as {@code \\uXXXX}, so nothing a sender chooses can move the
 * cursor, clear a line, start a new log line or hide what follows on an operator's screen, in a log or in a PDF.
 *
 * <p>Unsafe: the Unicode categories Cc (controls: C0, DEL, C1 including ESC, CR, LF, NEL U+0085), Cf (format
 * characters: bidirectional overrides, zero-width joiners, BOM), Zl and Zp (U+2028, U+2029), unpaired
 * surrogates (Cs), private use (Co) and unassigned code points (Cn). Everything else, including letters of any
 * script and ordinary spaces, passes unchanged. Pure and thread-safe.
 */
public final class SafeText {
    private SafeText() {}

    /** Whether this code point would be escaped by {@link #escape}. */
    public static boolean isUnsafe(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED:
                return true;
            default:
                return false;
        }
    }

    /** The index (in chars) of the first unsafe code point, or -1 when the text is safe to show as it is. */
    public static int firstUnsafe(CharSequence text) {
        if (text == null) return -1;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            if (isUnsafe(cp)) return i;
            i += Character.charCount(cp);
        }
        return -1;
    }

    /** The text with every unsafe character written as {@code \\uXXXX} (each UTF-16 unit); "null" for null. */
    public static String escape(CharSequence text) {
        if (text == null) return "null";
        int first = firstUnsafe(text);
        if (first < 0) return text.toString();
        StringBuilder out = new StringBuilder(text.length() + 16);
        out.append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            int n = Character.charCount(cp);
            if (isUnsafe(cp)) {
                for (int k = i; k < i + n; k++) out.append(String.format("\\u%04X", (int) text.charAt(k)));
            } else {
                out.append(text, i, i + n);
            }
            i += n;
        }
        return out.toString();
    }

    /**
     * {@link #escape} for a whole block of text the station itself lays out in lines: line feeds and tabs stay,
     * every other unsafe character is escaped (what a terminal or log file gets).
     */
    public static String escapeKeepingLines(CharSequence text) {
        if (text == null) return "null";
        StringBuilder out = null;
        int last = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            int n = Character.charCount(cp);
            if (cp != '\n' && cp != '\t' && isUnsafe(cp)) {
                if (out == null) out = new StringBuilder(text.length() + 16);
                out.append(text, last, i);
                for (int k = i; k < i + n; k++) out.append(String.format("\\u%04X", (int) text.charAt(k)));
                last = i + n;
            }
            i += n;
        }
        if (out == null) return text.toString();
        return out.append(text, last, text.length()).toString();
    }

    /**
     * A print stream for a terminal: whatever is printed through it as text (print, println, printf, append)
     * reaches {@code out} with every unsafe character but line feeds and tabs escaped, so no value from a
     * record, a QR code, a card or the network can move the cursor or rewrite a line on the operator's screen.
     */
    public static java.io.PrintStream terminal(java.io.OutputStream out) {
        return new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8) {
            @Override
            public void print(String s) { super.print(escapeKeepingLines(s)); }

            @Override
            public void print(Object o) { super.print(escapeKeepingLines(String.valueOf(o))); }

            @Override
            public void print(char[] s) { super.print(escapeKeepingLines(new String(s))); }

            @Override
            public void print(char c) { super.print(escapeKeepingLines(String.valueOf(c))); }
        };
    }

    /** {@link #escape} of {@code String.valueOf(value)}, for any object whose text came from outside. */
    public static String of(Object value) { return escape(value == null ? null : String.valueOf(value)); }

    /** How a code point is named in an error message: U+000A. */
    public static String codePointName(int codePoint) { return String.format("U+%04X", codePoint); }
}

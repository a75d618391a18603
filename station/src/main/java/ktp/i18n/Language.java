package ktp.i18n;

import java.util.Locale;

/** The languages an operator can read the station in. Indonesian is the default everywhere. */
public enum Language {
    ID("id"),
    EN("en");

    private final String code;

    Language(String code) {
        this.code = code;
    }

    /** The code used in resource names, cookies and configuration ("id", "en"). */
    public String code() {
        return code;
    }

    /** The language for a code such as "id" or "en-US"; anything else is Indonesian, the default. */
    public static Language of(String code) {
        if (code == null) return ID;
        String c = code.trim().toLowerCase(Locale.ROOT);
        return c.equals("en") || c.startsWith("en-") || c.startsWith("en_") ? EN : ID;
    }
}

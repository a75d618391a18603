package ktp.console;

import ktp.i18n.Catalogue;
import ktp.i18n.Language;

/** The console's words, from the station's message catalogue (area "console"). A missing key shows itself. */
final class Messages {
    private Messages() {}

    static String get(String key, boolean english) {
        return Catalogue.text(english ? Language.EN : Language.ID, "console." + key);
    }
}

package ktp.cli;

import java.nio.file.Path;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;

/**
 * The language of the command line's human output: Indonesian unless {@code --lang en} is given (on any
 * command) or, for a command that reads a station configuration, its {@code station.language} says
 * {@code en}. Every text comes from the message catalogue's cli area ({@link Catalogue}); state and fate names
 * are the console's, so that the CLI and the console say the same words. JSON output is never translated.
 */
final class CliText {
    private static Language chosen;     // --lang, null when not given
    private static Language configured; // station.language of the configuration a command read, null if none

    private CliText() {}

    /** Each command line starts with no choice made (the tests run many in one JVM). */
    static void reset() {
        chosen = null;
        configured = null;
    }

    static void choose(String code) {
        if (code == null) {
            chosen = null;
            return;
        }
        if (!code.equals("id") && !code.equals("en")) throw new picocli.CommandLine.TypeConversionException("--lang: id (Bahasa Indonesia) or en (English), got '" + code + "'");
        chosen = Language.of(code);
    }

    /** A command that reads this configuration takes its station.language when --lang was not given. */
    static void config(Path file) {
        if (file == null) return;
        try {
            ktp.datafile.DataFile.Node station = ktp.datafile.DataFile.load(file).object("station");
            if (station.has("language")) configured = Language.of(station.text("language"));
        } catch (ktp.datafile.DataFileException e) {
            // the command itself reports what is wrong with the file
        }
    }

    /** The code given with --lang, or null when it was not given. */
    static String explicitCode() { return chosen == null ? null : chosen.code(); }

    static Language language() {
        return chosen != null ? chosen : configured != null ? configured : Language.ID;
    }

    /** The cli area's text for {@code key} (without its "cli." prefix). */
    static String t(String key, Object... args) { return Catalogue.text(language(), "cli." + key, args); }

    /**
     * A bad-input error in the operator's language, from the catalogue's "cli.err." texts (key "err.NAME"); the technical detail
     * (file, option, value) goes in {@code args}, numbers as written (no grouping), so that it reads as it was typed.
     */
    static BadInputException bad(String key, Object... args) { return new BadInputException(error(key, args)); }

    /** The text of an error (key "err.NAME"), for the lines a command prints to stderr itself. */
    static String error(String key, Object... args) {
        Object[] plain = new Object[args.length];
        for (int i = 0; i < args.length; i++) plain[i] = args[i] instanceof Number ? String.valueOf(args[i]) : args[i];
        return t(key, plain);
    }

    /** A job state's name as the console shows it (the raw name if the catalogue lacks it). */
    static String state(String name) { return named("console.state." + name, name); }

    /** A blank's fate as the console shows it. */
    static String fate(String name) { return named("console.fate." + name, name); }

    /** Of two texts that come in both languages (a lane's or an alert's message), the one to show. */
    static String pick(String english, String indonesian) { return language() == Language.EN || indonesian == null || indonesian.isEmpty() ? english : indonesian; }

    private static String named(String key, String raw) { return Catalogue.has(key) ? Catalogue.text(language(), key) : raw; }
}

package ktp.datafile;

import ktp.i18n.Language;

/**
 * A profile, template or configuration file that cannot be used: names the file, the field (a path like
 * sides.front.elements[3].x_mm), the problem and where in the file it is. {@link #getMessage()} is English (the
 * logs, the tests); {@link #message(Language)} says the same in the operator's language, the file and the key's
 * path as they are.
 */
public final class DataFileException extends Exception {
    private final String file;
    private final String field;
    private final Words problem;
    private final Words where;

    public DataFileException(String file, String field, String problem) {
        this(file, field, Words.raw(problem), null);
    }

    /** {@code where}: the line and column (null when the file does not say). */
    public DataFileException(String file, String field, Words problem, Words where) {
        super(say(file, field, problem, where, Language.EN));
        this.file = file;
        this.field = field;
        this.problem = problem;
        this.where = where;
    }

    public String file() { return file; }

    public String field() { return field; }

    /** The problem without the file and the key, in English; for a caller that puts it inside its own message. */
    public Words problem() { return problem; }

    /** The whole message in {@code language}: "FILE: KEY: problem (line L, column C)". */
    public String message(Language language) { return say(file, field, problem, where, language); }

    private static String say(String file, String field, Words problem, Words where, Language language) {
        return file + (field.isEmpty() ? "" : ": " + field) + ": " + problem.in(language) + (where == null ? "" : " (" + where.in(language) + ")");
    }
}

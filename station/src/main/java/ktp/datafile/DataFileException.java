package ktp.datafile;

/** A profile or template file that cannot be used: names the file, the field (a path like sides.front.elements[3].x_mm) and the problem. */
public final class DataFileException extends Exception {
    private final String file;
    private final String field;

    public DataFileException(String file, String field, String problem) {
        super(file + (field.isEmpty() ? "" : ": " + field) + ": " + problem);
        this.file = file;
        this.field = field;
    }

    public String file() { return file; }

    public String field() { return field; }
}

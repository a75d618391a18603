package ktp.printer;

/** The printer answered with an error, or did not answer: the station's error code and what the printer said. */
public final class PrinterException extends Exception {
    private final PrinterError error;

    public PrinterException(PrinterError error, String detail, Throwable cause) {
        super(error + ": " + detail, cause);
        this.error = error;
    }

    public PrinterError error() { return error; }
}

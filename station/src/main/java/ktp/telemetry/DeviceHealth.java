package ktp.telemetry;

/**
 * What the station's devices report for the health message; the daemon fills it from the printer driver and the
 * reader. {@code ribbonRemaining} and {@code blanksInFeeder} are null when the printer does not say.
 */
public interface DeviceHealth {
    String printerStatus();

    Integer ribbonRemaining();

    Integer blanksInFeeder();

    boolean readerPresent();

    boolean paused();

    /** For a station whose devices are not wired in (a tool, a test): everything unknown. */
    DeviceHealth UNKNOWN = new DeviceHealth() {
        @Override public String printerStatus() { return "UNKNOWN"; }
        @Override public Integer ribbonRemaining() { return null; }
        @Override public Integer blanksInFeeder() { return null; }
        @Override public boolean readerPresent() { return false; }
        @Override public boolean paused() { return false; }
    };
}

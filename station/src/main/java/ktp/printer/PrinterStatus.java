package ktp.printer;

/** What `ktp printer status` shows and health telemetry reports. */
public record PrinterStatus(String model, String firmware, String serial, int ribbonRemaining, boolean feederHasCards,
                            boolean rejectBoxFull, long cardsPrinted) {}

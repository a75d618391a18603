package ktp.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ktp.text.SafeText;

/**
 * The log message with every control character written as \\uXXXX ({@code %safeMsg} in logback.xml): a value
 * from a record or the network cannot start a forged log line with a line break, or hide one with ESC or CR.
 */
public final class SafeLogMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) { return SafeText.escape(super.convert(event)); }
}

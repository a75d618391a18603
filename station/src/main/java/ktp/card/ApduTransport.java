package ktp.card;

/**
 * One command APDU in, one response APDU (data and status word) out: the one-method boundary to a chip,
 * whether through javax.smartcardio and pcscd or straight to the virtual card in process.
 */
@FunctionalInterface
public interface ApduTransport {
    byte[] transmit(byte[] command) throws CardException;

    /** The chip could not be reached or did not answer (pulled out, reader gone, no power). */
    final class CardException extends Exception {
        public CardException(String message) { super(message); }

        public CardException(String message, Throwable cause) { super(message, cause); }
    }
}

package ktp.station;

import java.util.Optional;
import ktp.card.ChipEncoder;
import ktp.card.ChipPayload;
import ktp.printer.ChipStation;

/**
 * The printer's chip step made of the chip encoder: the station wires the two rooms, so that the card room knows
 * nothing of the printer and the printer only calls the step it is handed.
 */
public final class EncoderStep {
    private EncoderStep() {}

    /** The step for one card, its chip contents handed down with it. */
    public static ChipStation of(ChipEncoder encoder, ChipPayload payload) {
        return new ChipStation() {
            @Override
            public String encode(String recordId) throws ChipFailure {
                return encode(recordId, uid -> { });
            }

            @Override
            public String encode(String recordId, java.util.function.Consumer<String> identified) throws ChipFailure {
                try {
                    return encoder.encode(recordId, payload, identified);
                } catch (ChipEncoder.Failure f) {
                    throw new ChipFailure(f.uid(), f.getMessage());
                }
            }

            @Override
            public Optional<String> notReady() { return encoder.notReady(); }
        };
    }

    /** The step for an encoder that looks each card's contents up itself (the stand-alone tools). */
    public static ChipStation of(ChipEncoder encoder) {
        return new ChipStation() {
            @Override
            public String encode(String recordId) throws ChipFailure {
                return encode(recordId, uid -> { });
            }

            @Override
            public String encode(String recordId, java.util.function.Consumer<String> identified) throws ChipFailure {
                try {
                    return encoder.encode(recordId, identified);
                } catch (ChipEncoder.Failure f) {
                    throw new ChipFailure(f.uid(), f.getMessage());
                }
            }

            @Override
            public Optional<String> notReady() { return encoder.notReady(); }
        };
    }
}

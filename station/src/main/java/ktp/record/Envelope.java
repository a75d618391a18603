package ktp.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;

/**
 * A record as it travels: the exact payload bytes, the id of the data center's key, and an ECDSA P-256 /
 * SHA-256 signature over those bytes (64 bytes, r||s as in IEEE P1363 and JWS ES256). Carrying the payload as
 * base64 keeps the signed bytes exact whatever JSON tooling touches the envelope on its way.
 */
public record Envelope(String keyId, byte[] payload, byte[] signature, byte[] cardSeal, byte[] chipSeal) {
    public static final String FORMAT = "ktpel-envelope/1";
    public static final String ALGORITHM = "ES256";
    static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** An envelope without the card's QR seal (the validator refuses it: the card could not carry its QR). */
    public Envelope(String keyId, byte[] payload, byte[] signature) { this(keyId, payload, signature, null, null); }

    /** An envelope with the card's QR seal but no chip seal (the validator refuses it: the chip could not be authenticated). */
    public Envelope(String keyId, byte[] payload, byte[] signature, byte[] cardSeal) { this(keyId, payload, signature, cardSeal, null); }

    public byte[] toJson() {
        ObjectNode root = RecordJson.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("keyId", keyId);
        root.put("algorithm", ALGORITHM);
        root.put("payload", Base64.getEncoder().encodeToString(payload));
        root.put("signature", Base64.getEncoder().encodeToString(signature));
        if (cardSeal != null) root.put("cardSeal", Base64.getEncoder().encodeToString(cardSeal));
        if (chipSeal != null) root.put("chipSeal", Base64.getEncoder().encodeToString(chipSeal));
        try {
            return RecordJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot happen: writing a tree of strings", e);
        }
    }

    /** Parses an envelope; every problem is a rejection that says what is wrong and where. */
    public static Envelope parse(byte[] bytes) throws RecordRejectedException {
        JsonNode root;
        try {
            root = RecordJson.MAPPER.readTree(bytes);
        } catch (JsonEOFException e) {
            throw new RecordRejectedException(Reason.ENVELOPE_TRUNCATED, "",
                    "the envelope ends after " + bytes.length + " bytes, inside the JSON: the file is truncated");
        } catch (JsonProcessingException e) {
            throw new RecordRejectedException(Reason.ENVELOPE_MALFORMED, "",
                    "the envelope is not valid JSON: " + e.getOriginalMessage()
                            + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new RecordRejectedException(Reason.ENVELOPE_MALFORMED, "", "the envelope cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new RecordRejectedException(Reason.ENVELOPE_TRUNCATED, "", "the envelope is empty");
        }
        if (!root.isObject()) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "", "the envelope must be a JSON object, got " + root.getNodeType());
        }
        String format = requireText(root, "format");
        if (!FORMAT.equals(format)) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "format", "format is '" + format + "', expected '" + FORMAT + "'");
        }
        String algorithm = requireText(root, "algorithm");
        if (!ALGORITHM.equals(algorithm)) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "algorithm",
                    "algorithm is '" + ktp.text.SafeText.escape(algorithm) + "'; the station accepts only " + ALGORITHM + " (ECDSA P-256 with SHA-256)");
        }
        String keyId = requireText(root, "keyId");
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "keyId", "keyId '" + ktp.text.SafeText.escape(keyId)
                    + "' is not a key id: 1 to 128 of A-Z a-z 0-9 . _ : - (it is a file name and part of the card's QR text)");
        }
        byte[] payload = requireBase64(root, "payload");
        byte[] signature = requireBase64(root, "signature");
        if (signature.length != 64) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "signature",
                    "signature is " + signature.length + " bytes; an ES256 signature is 64 bytes (r||s)");
        }
        byte[] seal = null;
        if (root.hasNonNull("cardSeal")) {
            seal = requireBase64(root, "cardSeal");
            if (seal.length != 64) {
                throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "cardSeal", "cardSeal is " + seal.length + " bytes; an ES256 signature is 64 bytes (r||s)");
            }
        }
        byte[] chip = null;
        if (root.hasNonNull("chipSeal")) {
            chip = requireBase64(root, "chipSeal");
            if (chip.length != 64) {
                throw new RecordRejectedException(Reason.ENVELOPE_INVALID, "chipSeal", "chipSeal is " + chip.length + " bytes; an ES256 signature is 64 bytes (r||s)");
            }
        }
        return new Envelope(keyId, payload, signature, seal, chip);
    }

    /** The record id a possibly invalid envelope claims (unchecked, for naming a job only). */
    public static java.util.Optional<String> claimedRecordId(byte[] envelopeBytes) {
        try {
            JsonNode payload = RecordJson.MAPPER.readTree(Base64.getDecoder().decode(RecordJson.MAPPER.readTree(envelopeBytes).get("payload").asText()));
            JsonNode id = payload.get("recordId");
            return id != null && id.isTextual() ? java.util.Optional.of(id.asText()) : java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The NIK a possibly invalid envelope claims, for reporting a rejection only: nothing here is checked,
     * and a record that fails validation is never printed whatever this returns.
     */
    public static java.util.Optional<String> claimedNik(byte[] envelopeBytes) {
        try {
            JsonNode payload = RecordJson.MAPPER.readTree(Base64.getDecoder().decode(RecordJson.MAPPER.readTree(envelopeBytes).get("payload").asText()));
            JsonNode nik = payload.get("nik");
            return nik != null && nik.isTextual() && nik.asText().matches("[0-9]{1,16}") ? java.util.Optional.of(nik.asText()) : java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static String requireText(JsonNode root, String name) throws RecordRejectedException {
        JsonNode node = root.get(name);
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, name, "the envelope has no text field '" + name + "'");
        }
        return node.asText();
    }

    private static byte[] requireBase64(JsonNode root, String name) throws RecordRejectedException {
        String text = requireText(root, name);
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new RecordRejectedException(Reason.ENVELOPE_INVALID, name, name + " is not valid base64: " + e.getMessage());
        }
    }
}

package ktp.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import ktp.telemetry.TelemetryCodec.Rejected;

/**
 * The envelope every telemetry message travels in (docs/telemetry.md, "Signatures"): a JWS in the flattened
 * JSON serialisation (RFC 7515 section 7.2.2), {@code {"protected":B64U(header),"payload":B64U(body),
 * "signature":B64U(sig)}}, with the protected header {@code {"alg":"ES256","kid":KEYID,"typ":"ktpel-KIND"}}
 * and the signature ES256 over {@code ASCII(protected "." payload)}. Signing the body's exact bytes needs no
 * JSON canonicalisation, any JOSE library can check it, and the {@code typ} binds the body to its kind, so a
 * signed receipt can never pass as a command. Free of I/O; nothing here decides whose key is good (that is
 * {@link Keyring}'s).
 */
public final class SignedMessage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    /** The kinds of message, each its own {@code typ}. */
    public enum Kind {
        EVENTS, STATE, HEALTH, ACK, COMMAND, RECEIPT, HEARTBEAT;

        public String typ() { return "ktpel-" + name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** A message taken out of its envelope but not yet verified: who claims to have signed it and the bytes to check. */
    public record Opened(Kind kind, String kid, byte[] payload, byte[] signingInput, byte[] signature) {}

    private SignedMessage() {}

    public static byte[] seal(Kind kind, byte[] body, TelemetryKey key) {
        ObjectNode h = JSON.createObjectNode();
        h.put("alg", "ES256");
        h.put("kid", key.kid());
        h.put("typ", kind.typ());
        String protectedB64 = B64.encodeToString(bytes(h));
        String payloadB64 = B64.encodeToString(body);
        byte[] sig = key.sign((protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII));
        ObjectNode n = JSON.createObjectNode();
        n.put("protected", protectedB64);
        n.put("payload", payloadB64);
        n.put("signature", B64.encodeToString(sig));
        return bytes(n);
    }

    /**
     * Takes the envelope apart, in the order of cost: size, JSON, the three fields (a message without them is
     * {@code UNSIGNED}, as every version-1 message is), the header (ES256 only: no "none", no other curve), the kind.
     */
    public static Opened open(byte[] message, Kind expected) throws Rejected {
        String what = expected.name().toLowerCase(java.util.Locale.ROOT);
        if (message.length > TelemetryCodec.MAX_MESSAGE_BYTES) {
            throw new Rejected(Rejected.Kind.OVERSIZED, what + ": " + message.length + " bytes, at most " + TelemetryCodec.MAX_MESSAGE_BYTES);
        }
        JsonNode n;
        try {
            n = JSON.readTree(message);
        } catch (IOException e) {
            throw new Rejected(Rejected.Kind.MALFORMED, what + ": not JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (n == null || !n.isObject()) throw new Rejected(Rejected.Kind.MALFORMED, what + ": not a JSON object");
        if (!n.path("protected").isTextual() || !n.path("payload").isTextual() || !n.path("signature").isTextual()) {
            throw new Rejected(Rejected.Kind.UNSIGNED, what + ": not a signed envelope (protected, payload, signature)"
                    + (n.has("v") ? "; an unsigned version-" + n.get("v").asText() + " message" : ""));
        }
        for (Iterator<String> f = n.fieldNames(); f.hasNext(); ) {
            String name = f.next();
            if (!name.equals("protected") && !name.equals("payload") && !name.equals("signature")) {
                throw new Rejected(Rejected.Kind.INVALID, what + ": the envelope has a field '" + name + "' outside protected, payload, signature");
            }
        }
        String protectedB64 = n.get("protected").asText();
        String payloadB64 = n.get("payload").asText();
        JsonNode h;
        byte[] payload;
        byte[] sig;
        try {
            h = JSON.readTree(UNB64.decode(protectedB64));
            payload = UNB64.decode(payloadB64);
            sig = UNB64.decode(n.get("signature").asText());
        } catch (IllegalArgumentException | IOException e) {
            throw new Rejected(Rejected.Kind.MALFORMED, what + ": the envelope is not base64url JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (h == null || !h.isObject() || h.size() != 3) throw new Rejected(Rejected.Kind.INVALID, what + ": the protected header must hold exactly alg, kid, typ");
        if (!"ES256".equals(h.path("alg").asText())) {
            throw new Rejected(Rejected.Kind.BAD_SIGNATURE, what + ": algorithm '" + h.path("alg").asText() + "'; only ES256 is accepted");
        }
        String kid = h.path("kid").asText();
        if (!kid.matches("[0-9a-f]{32}")) throw new Rejected(Rejected.Kind.INVALID, what + ": key id '" + kid + "' is not 32 hex digits");
        String typ = h.path("typ").asText();
        if (!expected.typ().equals(typ)) throw new Rejected(Rejected.Kind.INVALID, what + ": a '" + typ + "' message where '" + expected.typ() + "' belongs");
        if (sig.length != 64) throw new Rejected(Rejected.Kind.BAD_SIGNATURE, what + ": the signature is " + sig.length + " bytes, ES256 has 64");
        return new Opened(expected, kid, payload, (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII), sig);
    }

    /** The body of an envelope without checking anything (for display only: {@code ktp telemetry tail}). */
    public static java.util.Optional<String> peekKid(byte[] message) {
        try {
            JsonNode n = JSON.readTree(message);
            return java.util.Optional.of(JSON.readTree(UNB64.decode(n.get("protected").asText())).get("kid").asText());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

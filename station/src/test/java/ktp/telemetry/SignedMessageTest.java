package ktp.telemetry;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed envelope (a flattened JWS, ES256) and the keyring that decides whose key is good: what is sealed
 * opens and verifies, also with the JDK's own ECDSA as an independent verifier; a message altered, stripped of
 * its signature, signed with no algorithm, of another kind, signed by another owner's key, an unknown key or
 * a revoked one is refused, each by its own kind.
 */
class SignedMessageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] BODY = "{\"v\":2,\"stationId\":\"ST-01\",\"state\":\"online\",\"since\":\"2026-11-28T03:04:05Z\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static TelemetryCodec.Rejected.Kind refusal(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(TelemetryCodec.Rejected.class, e).kind();
    }

    @Test
    void aSealedMessageIsAFlattenedJwsThatTheJdksOwnEcdsaVerifiesToo() throws Exception {
        TelemetryKey key = TelemetryKey.generate();
        byte[] m = SignedMessage.seal(SignedMessage.Kind.STATE, BODY, key);
        var n = JSON.readTree(m);
        assertEquals(3, n.size());
        var header = JSON.readTree(Base64.getUrlDecoder().decode(n.get("protected").asText()));
        assertEquals("ES256", header.get("alg").asText());
        assertEquals("ktpel-state", header.get("typ").asText());
        assertEquals(key.kid(), header.get("kid").asText());
        assertArrayEquals(BODY, Base64.getUrlDecoder().decode(n.get("payload").asText()));
        assertFalse(n.get("signature").asText().contains("="), "base64url without padding");
        Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
        jdk.initVerify(key.publicKey());
        jdk.update((n.get("protected").asText() + "." + n.get("payload").asText()).getBytes(StandardCharsets.US_ASCII));
        assertTrue(jdk.verify(Base64.getUrlDecoder().decode(n.get("signature").asText())), "an independent ES256 verifier accepts it");
        assertArrayEquals(m, SignedMessage.seal(SignedMessage.Kind.STATE, BODY, key), "deterministic nonces (RFC 6979): the same bytes every time");

        Keyring.add(dir, "ST-01", key.publicKey());
        Keyring ring = Keyring.load(dir);
        Keyring.Verified v = ring.open(m, SignedMessage.Kind.STATE, "ST-01");
        assertEquals("ST-01", v.signer().owner());
        assertArrayEquals(BODY, v.body());
    }

    @Test
    void alteredStrippedUnsignedAndMisKindedMessagesAreRefused() throws Exception {
        TelemetryKey key = TelemetryKey.generate();
        Keyring.add(dir, "ST-01", key.publicKey());
        Keyring ring = Keyring.load(dir);
        byte[] m = SignedMessage.seal(SignedMessage.Kind.STATE, BODY, key);
        ObjectNode n = (ObjectNode) JSON.readTree(m);

        ObjectNode altered = n.deepCopy();
        altered.put("payload", Base64.getUrlEncoder().withoutPadding().encodeToString(new String(BODY, StandardCharsets.UTF_8).replace("online", "offline").getBytes(StandardCharsets.UTF_8)));
        assertEquals(TelemetryCodec.Rejected.Kind.BAD_SIGNATURE, refusal(() -> ring.open(JSON.writeValueAsBytes(altered), SignedMessage.Kind.STATE, "ST-01")));

        ObjectNode otherSignature = n.deepCopy();
        otherSignature.put("signature", JSON.readTree(SignedMessage.seal(SignedMessage.Kind.STATE, "{}".getBytes(), key)).get("signature").asText());
        assertEquals(TelemetryCodec.Rejected.Kind.BAD_SIGNATURE, refusal(() -> ring.open(JSON.writeValueAsBytes(otherSignature), SignedMessage.Kind.STATE, "ST-01")));

        ObjectNode stripped = n.deepCopy();
        stripped.remove("signature");
        assertEquals(TelemetryCodec.Rejected.Kind.UNSIGNED, refusal(() -> ring.open(JSON.writeValueAsBytes(stripped), SignedMessage.Kind.STATE, "ST-01")));
        assertEquals(TelemetryCodec.Rejected.Kind.UNSIGNED, refusal(() -> ring.open(BODY, SignedMessage.Kind.STATE, "ST-01")), "a bare body is not signed");

        ObjectNode none = n.deepCopy();
        none.put("protected", Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"alg\":\"none\",\"kid\":\"" + key.kid() + "\",\"typ\":\"ktpel-state\"}").getBytes()));
        assertEquals(TelemetryCodec.Rejected.Kind.BAD_SIGNATURE, refusal(() -> ring.open(JSON.writeValueAsBytes(none), SignedMessage.Kind.STATE, "ST-01")));

        ObjectNode extra = n.deepCopy();
        extra.put("header", "{}");
        assertEquals(TelemetryCodec.Rejected.Kind.INVALID, refusal(() -> ring.open(JSON.writeValueAsBytes(extra), SignedMessage.Kind.STATE, "ST-01")));

        assertEquals(TelemetryCodec.Rejected.Kind.INVALID, refusal(() -> ring.open(m, SignedMessage.Kind.COMMAND, null)), "a signed state is not a command");
        assertEquals(TelemetryCodec.Rejected.Kind.MALFORMED, refusal(() -> ring.open("not json".getBytes(), SignedMessage.Kind.STATE, "ST-01")));
        assertEquals(TelemetryCodec.Rejected.Kind.OVERSIZED, refusal(() -> ring.open(new byte[TelemetryCodec.MAX_MESSAGE_BYTES + 1], SignedMessage.Kind.STATE, "ST-01")));
    }

    @Test
    void anotherOwnersKeyAnUnknownKeyAndARevokedKeyAreRefused() throws Exception {
        TelemetryKey a = TelemetryKey.generate();
        TelemetryKey b = TelemetryKey.generate();
        Keyring.add(dir, "ST-A", a.publicKey());
        Keyring.add(dir, "ST-B", b.publicKey());
        Keyring ring = Keyring.load(dir);
        byte[] byB = SignedMessage.seal(SignedMessage.Kind.EVENTS, BODY, b);
        assertEquals(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, refusal(() -> ring.open(byB, SignedMessage.Kind.EVENTS, "ST-A")), "station B's key on station A's topic");
        assertEquals("ST-B", ring.open(byB, SignedMessage.Kind.EVENTS, "ST-B").signer().owner());
        byte[] byStranger = SignedMessage.seal(SignedMessage.Kind.EVENTS, BODY, TelemetryKey.generate());
        assertEquals(TelemetryCodec.Rejected.Kind.UNKNOWN_SIGNER, refusal(() -> ring.open(byStranger, SignedMessage.Kind.EVENTS, "ST-A")));

        // A rotated key: A gets a second key; then the first is revoked, and the keyring picks that up without a restart.
        TelemetryKey a2 = TelemetryKey.generate();
        Keyring.add(dir, "ST-A", a2.publicKey());
        Thread.sleep(1100);
        assertEquals("ST-A", ring.open(SignedMessage.seal(SignedMessage.Kind.EVENTS, BODY, a2), SignedMessage.Kind.EVENTS, "ST-A").signer().owner());
        Keyring.revoke(dir, a.kid(), "laptop stolen 2026-11-30");
        Thread.sleep(1100);
        TelemetryCodec.Rejected r = assertThrows(TelemetryCodec.Rejected.class, () -> ring.open(SignedMessage.seal(SignedMessage.Kind.EVENTS, BODY, a), SignedMessage.Kind.EVENTS, "ST-A"));
        assertEquals(TelemetryCodec.Rejected.Kind.REVOKED, r.kind());
        assertTrue(r.getMessage().contains("laptop stolen"), r.getMessage());
        assertEquals("ST-A", ring.open(SignedMessage.seal(SignedMessage.Kind.EVENTS, BODY, a2), SignedMessage.Kind.EVENTS, "ST-A").signer().owner());
    }

    @Test
    void aKeyringRefusesBadFilesByName() throws Exception {
        Files.writeString(dir.resolve("ST-X.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Keyring.load(dir));
        assertTrue(e.getMessage().contains("ST-X.pem"), e.getMessage());
        Files.delete(dir.resolve("ST-X.pem"));
        assertTrue(assertThrows(java.io.IOException.class, () -> Keyring.load(dir)).getMessage().contains("holds no OWNER.pem"));
        Keyring.add(dir, "ST-Y", TelemetryKey.generate().publicKey());
        Files.writeString(dir.resolve(Keyring.REVOKED_FILE), "not-a-kid because\n");
        assertTrue(assertThrows(java.io.IOException.class, () -> Keyring.load(dir)).getMessage().contains("line 1"));
    }

    @Test
    void aSigningKeyFileIsReadableByItsOwnerOnlyAndReadsBack() throws Exception {
        TelemetryKey k = TelemetryKey.generate();
        Path f = dir.resolve("keys/station.key");
        k.writePrivate(f);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(k.kid(), TelemetryKey.load(f).kid(), "the public key and its id are computed from the private key");
        assertFalse(k.toString().contains("PRIVATE"));
    }
}

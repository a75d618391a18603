package ktp.sim.records;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.util.HexFormat;
import ktp.record.Envelope;
import ktp.record.Signatures;
import ktp.record.TrustedKeys;

/**
 * The simulated data center's signing key. Derived from a seed so that generated records are reproducible;
 * its id names the key by a hash of the public key, so two seeds never share an id.
 */
public record DataCenterKey(String keyId, KeyPair keyPair) {

    public static DataCenterKey fromSeed(long seed) {
        KeyPair pair = Signatures.generateKeyPair(seed);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded());
            return new DataCenterKey("dc-sim-" + HexFormat.of().formatHex(digest, 0, 4), pair);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A payload signed without a card seal (only for building defective envelopes). */
    public Envelope sign(byte[] payload) {
        return new Envelope(keyId, payload, Signatures.sign(payload, (ECPrivateKey) keyPair.getPrivate()));
    }

    /** The record's envelope as the data center issues it: the payload signed, the seal of the card's QR code, and the seal of the chip's data groups. */
    public Envelope signRecord(ktp.record.PrintRecord record) {
        byte[] payload = ktp.record.RecordJson.write(record);
        ECPrivateKey key = (ECPrivateKey) keyPair.getPrivate();
        return new Envelope(keyId, payload, Signatures.sign(payload, key),
                Signatures.sign(ktp.record.CardSeal.Contents.of(record, keyId).signedBytes(), key),
                Signatures.sign(ktp.record.ChipData.hashList(ktp.record.ChipData.dataGroups(record)), key));
    }

    /** Writes the public key as DIR/KEYID.pem, the form a station's trusted-key directory takes. */
    public Path writePublicKey(Path dir) throws IOException {
        ktp.datafile.PrivateFiles.createDirectories(dir);
        Path file = dir.resolve(keyId + ".pem");
        ktp.datafile.PrivateFiles.writeString(file, TrustedKeys.toPem(keyPair.getPublic()));
        return file;
    }
}

package ktp.card;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import ktp.card.scp03.Scp03;

/**
 * The station's key material for opening a card's secure channel: the key version it asks for and, from the
 * card's key diversification data, that card's static keys. Never printed.
 */
public final class CardKeys {
    private final int version;
    private final byte[] master;
    private final CardProfile.Diversification diversification;

    private CardKeys(int version, byte[] master, CardProfile.Diversification diversification) {
        this.version = version;
        this.master = master;
        this.diversification = diversification;
    }

    /** The GlobalPlatform test keys at key version 0: a virtual card in its default configuration accepts them. */
    public static CardKeys globalPlatformTestKeys() {
        return new CardKeys(0, Scp03.StaticKeys.globalPlatformTestKeys().enc(), CardProfile.Diversification.NONE);
    }

    /** The issuer's master key for cards of this profile (its key version and diversification scheme). */
    public static CardKeys master(CardProfile profile, byte[] master) {
        if (master.length != 16 && master.length != 24 && master.length != 32) throw new IllegalArgumentException("a master key is AES-128, 192 or 256: 16, 24 or 32 bytes, got " + master.length);
        return new CardKeys(profile.keyVersion(), master.clone(), profile.diversification());
    }

    /** Reads a master key file: hex, 32, 48 or 64 digits, spaces and line breaks ignored. Errors never show the key. */
    public static CardKeys masterFile(CardProfile profile, Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("\\s", "");
        byte[] key;
        try {
            key = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": a master key file holds hex digits only (" + text.length() + " characters found)");
        }
        try {
            return master(profile, key);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    public int version() { return version; }

    /** This card's static keys from the key diversification data in its INITIALIZE UPDATE answer. */
    public Scp03.StaticKeys forCard(byte[] kdd) {
        return switch (diversification) {
            case NONE -> new Scp03.StaticKeys(version, master.clone(), master.clone(), master.clone());
            case KDF3 -> Scp03.diversifyKdf3(master, version, kdd);
        };
    }

    @Override
    public String toString() { return "CardKeys[version=" + version + ", " + diversification + ", values hidden]"; }
}

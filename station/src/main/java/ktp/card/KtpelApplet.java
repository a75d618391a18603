package ktp.card;

/**
 * The KTP-el chip application's commands, shared by the station and the virtual card (docs/chip-data.md).
 * Data groups are written in blocks inside the secure channel and read in blocks by anyone.
 */
public final class KtpelApplet {
    /** GlobalPlatform's default security domain AID. */
    public static final byte[] SECURITY_DOMAIN_AID = {(byte) 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
    /** The KTP-el application (a proprietary AID for this project's virtual card). */
    public static final byte[] APPLICATION_AID = {(byte) 0xD3, 0x60, 0x00, 0x00, 0x4B, 0x54, 0x50, 0x45, 0x4C};
    /** Bytes per write or read block: what fits one short APDU once padded, encrypted and MACed. */
    public static final int BLOCK = 224;
    /** The security object's file number among the data groups. */
    public static final int SOD = 0x1D;

    public static final int INS_WRITE = 0xD6;
    public static final int INS_READ = 0xB0;
    public static final int INS_SET_STATE = 0xF0;
    public static final int INS_GET_STATE = 0xF2;

    public enum State { BLANK, PERSONALIZING, PERSONALIZED, ACTIVATED, LOCKED }

    private KtpelApplet() {}
}

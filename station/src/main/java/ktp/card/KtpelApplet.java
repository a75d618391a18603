package ktp.card;

/**
 * The KTP-el chip application's commands, shared by the station and the virtual card (docs/chip-data.md).
 * Data groups are written in blocks inside the secure channel and read in blocks by anyone. AIDs, file
 * numbers and the block size belong to the card model: see {@link CardProfile}.
 */
public final class KtpelApplet {
    /** GlobalPlatform's default security domain AID. */
    public static final byte[] SECURITY_DOMAIN_AID = {(byte) 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
    /** The security object's group key among the data groups (DG1..DG4 are 1..4). */
    public static final int SOD = 0x1D;

    public static final int INS_WRITE = 0xD6;
    public static final int INS_READ = 0xB0;
    public static final int INS_SET_STATE = 0xF0;
    public static final int INS_GET_STATE = 0xF2;

    public enum State { BLANK, PERSONALIZING, PERSONALIZED, ACTIVATED, LOCKED }

    private KtpelApplet() {}
}

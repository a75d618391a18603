package ktp.sim.card;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import ktp.card.ApduTransport;
import ktp.card.CardProfile;
import ktp.card.KtpelApplet;
import ktp.card.scp03.Scp03;
import ktp.card.scp03.Scp03CardSession;
import ktp.card.scp03.Scp03Session;

/**
 * A virtual KTP-el chip: a GlobalPlatform security domain with SCP03 (card side) and the KTP-el application
 * (data-group files, a lifecycle, and access rules: writes and state changes only inside a secure channel;
 * reads by anyone, for passive authentication). It answers APDUs in process; a transport puts it behind
 * pcscd's vpcd or a javax.smartcardio provider. It can be "pulled out" after N commands, go mute, answer writes
 * with an error, and be tampered with.
 *
 * <p>Keys: the issuer's keys at the profile's key version, this card's own (derived from the issuer master key
 * and the card's key diversification data, as the profile says); and, in the default configuration, the
 * GlobalPlatform test keys 404142..4F at key version 0, so that any independent SCP03 host can open a channel.
 * The key diversification data is the UID, right-aligned in 10 bytes.
 */
public final class VirtualCard implements ApduTransport {
    private static final int MAX_AUTH_FAILURES = 3;
    /** The ATR the simulator's readers report for this card (ktpel-virtual.yaml matches it). */
    public static final byte[] ATR = {0x3B, (byte) 0x8A, (byte) 0x80, 0x01, 0x4B, 0x54, 0x50, 0x45, 0x4C, 0x2D, 0x53, 0x49, 0x4D, 0x00, 0x31};

    private final CardProfile profile;
    private final Scp03.StaticKeys issuerKeys;
    private final boolean testKeys;
    private final byte[] uid;
    private final byte[] kdd;
    private final Map<Integer, byte[]> files = new HashMap<>();
    private KtpelApplet.State state = KtpelApplet.State.BLANK;
    private byte[] selected;
    private Scp03CardSession channel;
    private int sequence;
    private int authFailures;
    private boolean present = true;
    private int pullAfter = -1;
    private boolean mute;
    private int writeFailure;
    private long commands;

    /**
     * A blank card of {@code profile}. With {@code issuerMaster} it also holds its own issuer keys at the
     * profile's key version; {@code testKeys} keeps the GlobalPlatform test keys at version 0 (the default).
     */
    public VirtualCard(CardProfile profile, byte[] uid, Optional<byte[]> issuerMaster, boolean testKeys) {
        if (uid.length < 4 || uid.length > 10) throw new IllegalArgumentException("a chip UID is 4 to 10 bytes");
        this.profile = profile;
        this.uid = uid.clone();
        this.kdd = new byte[10];
        System.arraycopy(uid, 0, kdd, 10 - uid.length, uid.length);
        this.issuerKeys = issuerMaster.map(m -> ktp.card.CardKeys.master(profile, m).forCard(kdd)).orElse(null);
        this.testKeys = testKeys;
        if (issuerKeys == null && !testKeys) throw new IllegalArgumentException("a card with no keys could never be written");
    }

    /** A blank in its default configuration with only the GlobalPlatform test keys. */
    public static VirtualCard withTestKeys(CardProfile profile, byte[] uid) { return new VirtualCard(profile, uid, Optional.empty(), true); }

    public byte[] atr() { return ATR.clone(); }

    public byte[] uid() { return uid.clone(); }

    /** The chip stops answering: every command fails as a mute chip does in a reader. */
    public synchronized void mute(boolean on) { mute = on; }

    /** Every later WRITE is answered with this status word (6581: memory failure, for one). */
    public synchronized void failWritesWith(int sw) { writeFailure = sw; }

    /** The card leaves the reader after {@code n} more commands (mid-personalization, for example). */
    public synchronized void pullOutAfter(int n) { pullAfter = n; }

    public synchronized void insert() {
        present = true;
        pullAfter = -1;
        selected = null;
        channel = null;
    }

    /** Power off, on or reset by the reader: the selection and any secure channel are gone; the files stay. */
    public synchronized void powerCycle() {
        selected = null;
        channel = null;
    }

    /** The card leaves the reader (see {@link CardSlot}). */
    public synchronized void remove() {
        present = false;
        channel = null;
    }

    public synchronized KtpelApplet.State state() { return state; }

    public synchronized boolean isPresent() { return present; }

    /** Wipes the card back to a fresh blank in place (for benchmarks that keep one card in the reader). */
    public synchronized void wipe() {
        files.clear();
        state = KtpelApplet.State.BLANK;
        channel = null;
        selected = null;
        authFailures = 0;
    }

    public synchronized long commands() { return commands; }

    /** Changes one byte of a file, as an attacker with a bare chip might: passive authentication must notice. */
    private boolean tamperedWrites;

    /** A tampered blank: every block written is stored with one bit changed (the encoder's read-back must catch it). */
    public synchronized void tamperWrites() { tamperedWrites = true; }

    public synchronized void tamper(int group, int offset) { files.get(profile.fileOf(group))[offset] ^= 0x01; }

    @Override
    public synchronized byte[] transmit(byte[] apdu) throws CardException {
        if (!present) throw new CardException("no card in the reader");
        if (mute) throw new CardException("the chip does not answer (no response within the reader's time-out)");
        if (pullAfter == 0) {
            present = false;
            channel = null;
            throw new CardException("the card was removed");
        }
        if (pullAfter > 0) pullAfter--;
        commands++;
        if (apdu.length < 4) return sw(0x6700);
        int cla = apdu[0] & 0xFF;
        int ins = apdu[1] & 0xFF;
        if (cla == 0xFF) return handle(apdu, false); // the reader's pseudo-APDUs (GET UID), not the chip's
        if (ins == 0x82 && cla == 0x84) return externalAuthenticate(apdu);
        if ((cla & 0x04) != 0) {
            if (channel == null || !channel.isOpen()) return sw(0x6982);
            byte[] plain;
            try {
                plain = channel.unwrap(apdu);
            } catch (Scp03Session.Scp03Exception e) {
                channel = null;
                return sw(0x6982);
            }
            byte[] r = handle(plain, true);
            int s = ((r[r.length - 2] & 0xFF) << 8) | (r[r.length - 1] & 0xFF);
            byte[] body = channel.wrap(Arrays.copyOf(r, r.length - 2), s);
            return concat(body, Arrays.copyOfRange(r, r.length - 2, r.length));
        }
        return handle(apdu, false);
    }

    private byte[] handle(byte[] apdu, boolean secured) {
        int cla = apdu[0] & 0xFF;
        int ins = apdu[1] & 0xFF;
        int p1 = apdu[2] & 0xFF;
        int p2 = apdu[3] & 0xFF;
        byte[] data = apdu.length > 5 ? Arrays.copyOfRange(apdu, 5, 5 + (apdu[4] & 0xFF)) : new byte[0];
        if (cla == 0xFF && ins == 0xCA) return concat(uid, sw2(0x9000)); // the reader's GET UID pseudo-APDU
        switch (ins) {
            case 0xA4: {
                if (Arrays.equals(data, profile.securityDomainAid()) || Arrays.equals(data, profile.applicationAid())) {
                    selected = data;
                    channel = null;
                    return sw(0x9000);
                }
                return sw(0x6A82);
            }
            case 0x50: {
                if (selected == null) return sw(0x6985);
                if (authFailures >= MAX_AUTH_FAILURES) return sw(0x6983);
                // Key version 0 means "the keys this card has": the GlobalPlatform test keys on a virtual card by default.
                Scp03.StaticKeys keys;
                if (p1 == 0) keys = testKeys ? Scp03.StaticKeys.globalPlatformTestKeys() : issuerKeys;
                else if (issuerKeys != null && p1 == issuerKeys.version()) keys = issuerKeys;
                else return sw(0x6A88);
                channel = new Scp03CardSession(keys, selected, kdd);
                return concat(channel.initializeUpdate(data, ++sequence), sw2(0x9000));
            }
            case 0xCA:
                if (p1 == 0x9F && p2 == 0x7F) return concat(cplc(), sw2(0x9000));
                return sw(0x6A88);
            case KtpelApplet.INS_WRITE: {
                if (!secured) return sw(0x6982);
                if (!Arrays.equals(selected, profile.applicationAid())) return sw(0x6985);
                if (state != KtpelApplet.State.BLANK && state != KtpelApplet.State.PERSONALIZING) return sw(0x6985);
                if (writeFailure != 0) return sw(writeFailure);
                Optional<CardProfile.FileSlot> slot = profile.files().values().stream().filter(x -> x.file() == p1).findFirst();
                if (slot.isEmpty()) return sw(0x6A82);
                if (data.length > profile.blockBytes()) return sw(0x6700);
                state = KtpelApplet.State.PERSONALIZING;
                byte[] f = files.getOrDefault(p1, new byte[0]);
                int off = p2 * profile.blockBytes();
                if (off + data.length > slot.get().maxBytes()) return sw(0x6A84);
                if (f.length < off + data.length) f = Arrays.copyOf(f, off + data.length);
                System.arraycopy(data, 0, f, off, data.length);
                if (tamperedWrites && data.length > 0) f[off] ^= 0x01;
                files.put(p1, f);
                return sw(0x9000);
            }
            case KtpelApplet.INS_READ: {
                byte[] f = files.get(p1);
                if (f == null) return sw(0x6A82);
                int off = p2 * profile.blockBytes();
                if (off > f.length) return sw(0x6B00);
                return concat(Arrays.copyOfRange(f, off, Math.min(f.length, off + profile.blockBytes())), sw2(0x9000));
            }
            case KtpelApplet.INS_SET_STATE: {
                if (!secured) return sw(0x6982);
                KtpelApplet.State to = p1 < KtpelApplet.State.values().length ? KtpelApplet.State.values()[p1] : null;
                boolean legal = (to == KtpelApplet.State.PERSONALIZED && state == KtpelApplet.State.PERSONALIZING)
                        || (to == KtpelApplet.State.ACTIVATED && (state == KtpelApplet.State.PERSONALIZED || state == KtpelApplet.State.ACTIVATED))
                        || to == KtpelApplet.State.LOCKED;
                if (!legal) return sw(0x6985);
                state = to;
                return sw(0x9000);
            }
            case KtpelApplet.INS_GET_STATE:
                return concat(new byte[] {(byte) state.ordinal()}, sw2(0x9000));
            default:
                return sw(0x6D00);
        }
    }

    private byte[] externalAuthenticate(byte[] apdu) {
        if (channel == null) return sw(0x6985);
        if (channel.externalAuthenticate(apdu)) return sw(0x9000);
        authFailures++;
        channel = null;
        return sw(0x6300);
    }

    private byte[] cplc() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x9F);
        out.write(0x7F);
        out.write(0x2A);
        byte[] body = new byte[42];
        System.arraycopy(uid, 0, body, 10, Math.min(uid.length, 4)); // IC serial number field
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] sw(int sw) { return sw2(sw); }

    private static byte[] sw2(int sw) { return new byte[] {(byte) (sw >> 8), (byte) sw}; }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

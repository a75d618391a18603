package ktp.sim.card;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import ktp.card.ApduTransport;
import ktp.card.KtpelApplet;
import ktp.card.scp03.Scp03;
import ktp.card.scp03.Scp03CardSession;
import ktp.card.scp03.Scp03Session;

/**
 * A virtual KTP-el chip: a GlobalPlatform security domain with SCP03 (card side) and the KTP-el application
 * (data-group files, a lifecycle, and access rules: writes and state changes only inside a secure channel;
 * reads by anyone, for passive authentication). It answers APDUs in process; a transport puts it behind
 * pcscd's vpcd or a javax.smartcardio provider. It can be "pulled out" after N commands, and tampered with.
 */
public final class VirtualCard implements ApduTransport {
    private static final int MAX_AUTH_FAILURES = 3;

    private final Scp03.StaticKeys keys;
    private final byte[] uid;
    private final Map<Integer, byte[]> files = new HashMap<>();
    private KtpelApplet.State state = KtpelApplet.State.BLANK;
    private byte[] selected;
    private Scp03CardSession channel;
    private int sequence;
    private int authFailures;
    private boolean present = true;
    private int pullAfter = -1;
    private long commands;

    public VirtualCard(Scp03.StaticKeys keys, byte[] uid) {
        this.keys = keys;
        this.uid = uid.clone();
    }

    /** The card leaves the reader after {@code n} more commands (mid-personalization, for example). */
    public synchronized void pullOutAfter(int n) { pullAfter = n; }

    public synchronized void insert() {
        present = true;
        pullAfter = -1;
        selected = null;
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
    public synchronized void tamper(int file, int offset) { files.get(file)[offset] ^= 0x01; }

    @Override
    public synchronized byte[] transmit(byte[] apdu) throws CardException {
        if (!present) throw new CardException("no card in the reader");
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
                if (Arrays.equals(data, KtpelApplet.SECURITY_DOMAIN_AID) || Arrays.equals(data, KtpelApplet.APPLICATION_AID)) {
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
                if (p1 != 0 && p1 != keys.version()) return sw(0x6A88);
                channel = new Scp03CardSession(keys, selected);
                return concat(channel.initializeUpdate(data, ++sequence), sw2(0x9000));
            }
            case 0xCA:
                if (p1 == 0x9F && p2 == 0x7F) return concat(cplc(), sw2(0x9000));
                return sw(0x6A88);
            case KtpelApplet.INS_WRITE: {
                if (!secured) return sw(0x6982);
                if (!Arrays.equals(selected, KtpelApplet.APPLICATION_AID)) return sw(0x6985);
                if (state != KtpelApplet.State.BLANK && state != KtpelApplet.State.PERSONALIZING) return sw(0x6985);
                state = KtpelApplet.State.PERSONALIZING;
                byte[] f = files.getOrDefault(p1, new byte[0]);
                int off = p2 * KtpelApplet.BLOCK;
                if (f.length < off + data.length) f = Arrays.copyOf(f, off + data.length);
                System.arraycopy(data, 0, f, off, data.length);
                files.put(p1, f);
                return sw(0x9000);
            }
            case KtpelApplet.INS_READ: {
                byte[] f = files.get(p1);
                if (f == null) return sw(0x6A82);
                int off = p2 * KtpelApplet.BLOCK;
                if (off > f.length) return sw(0x6B00);
                return concat(Arrays.copyOfRange(f, off, Math.min(f.length, off + KtpelApplet.BLOCK)), sw2(0x9000));
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

package ktp.sim.card;

import java.util.Optional;
import ktp.card.CardProfile;
import ktp.datafile.DataFileException;

/** The virtual card's profile (firmware-profiles/cards/ktpel-virtual.yaml), shared by the simulator's tools. */
public final class VirtualCards {
    public static final String PROFILE = "ktpel-virtual";

    private VirtualCards() {}

    public static CardProfile profile() {
        try {
            return CardProfile.resolve(ktp.cli.Paths.cardProfiles(), PROFILE);
        } catch (DataFileException e) {
            throw new IllegalStateException("the virtual card's profile is broken: " + e.getMessage(), e);
        }
    }

    /** A blank with UID {@code 04 00 .. n}: test keys only, or also the issuer's keys when a master is given. */
    public static VirtualCard blank(CardProfile profile, long n, Optional<byte[]> issuerMaster) {
        byte[] uid = {0x04, 0x4B, 0x54, (byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        return new VirtualCard(profile, uid, issuerMaster, true);
    }
}

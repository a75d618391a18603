package ktp.card.scp03;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * SCP03 against published vectors: session keys from openjavacard-tools' SCP03DerivationTest, and full host-side
 * transcripts (INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, wrapped commands, unwrapped responses) for AES-128/256
 * at security levels 11, 03 and 33 from osmocom pySim's test_globalplatform.py. (GlobalPlatformPro cannot be built
 * here; these are independent implementations' transcripts instead.)
 */
class Scp03Test {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] h(String s) { return HEX.parseHex(s.replace(" ", "")); }

    @Test
    void perCardKeysMatchGlobalPlatformProsKdf3Vector() {
        // GlobalPlatformPro tool/src/test/java/pro/javacard/gp/TestSCP03.java (testKDF3): master and KDD give this ENC key.
        Scp03.StaticKeys k = Scp03.diversifyKdf3(h("8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD"), 1, h("D9B1DE5D0362DEDCE4FB"));
        assertEquals("9aac5d0b3601f89438a0d9d0b6b256cfb47e6462dfa5228d3420c4ac7c224781", HEX.formatHex(k.enc()));
        assertEquals(32, k.mac().length);
        assertFalse(Arrays.equals(k.enc(), k.mac()), "ENC, MAC and DEK differ by their constant");
        assertFalse(Arrays.equals(k.mac(), k.dek()));
        Scp03.StaticKeys other = Scp03.diversifyKdf3(h("8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD"), 1, h("D9B1DE5D0362DEDCE4FC"));
        assertFalse(Arrays.equals(k.enc(), other.enc()), "another card's data gives other keys");
        assertThrows(IllegalArgumentException.class, () -> Scp03.diversifyKdf3(new byte[16], 1, new byte[8]));
    }

    @Test
    void sessionKeysMatchOpenjavacard() {
        Scp03.SessionKeys s = Scp03.sessionKeys(Scp03.StaticKeys.globalPlatformTestKeys(), h("A7F76C713F0A713D"), h("31900058C1C451A2"));
        assertEquals("258a78866f41482bef482dc8ca976ccd", HEX.formatHex(s.enc()));
        assertEquals("053db6abc7fdf3b63a0d965ee16b0255", HEX.formatHex(s.mac()));
        assertEquals("eda0b4f2ec0345bfc50f3bc59cfef936", HEX.formatHex(s.rmac()));
        assertFalse(s.toString().contains("25"), "keys are never printed");
    }

    private static Scp03.StaticKeys keys(int bits, int kvn) {
        byte[] enc = new byte[bits / 8], mac = new byte[bits / 8], dek = new byte[bits / 8];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (byte) (i % 16);
            mac[i] = (byte) (0x10 + i % 16);
            dek[i] = (byte) (0x20 + i % 16);
        }
        return new Scp03.StaticKeys(kvn, enc, mac, dek);
    }

    private static byte[] body(byte[] rapdu) { return Arrays.copyOf(rapdu, rapdu.length); }

    @ParameterizedTest(name = "AES-{0} level {1}")
    @CsvSource({
        "128, 11, 30, 8050300008b13e5f938fc108c400, 000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002, 84821100107d5f5826a993ebc89eea24957fa0b3ce, 84e291000ebf3e035c015a558d036518a2829700, bf3e125a1089882119900000000000000000000005971be68992dbbdfa, 84f220020863a63f8959827fb2, 84ca006608a0c6a4a74166f7ce00, 84f22002124f0212345c054f9f70c52249b50272656536, 84f280020a4f00e91443f6dce6b8ed00",
        "128, 03, 30, 80503000088e1552d0513c60f300, 0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001, 8482030010fd4721a14d9b07003c451d2f8ae6bb21, 84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00, bf3e125a1089882119900000000000000000000005, 84f2200208c9811b11f1264cf1, 84ca006608e10ab60b3054798800, 84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e, 84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800",
        "128, 33, 30, 8050300008fdf38259a1e0de4400, 000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003, 84823300108c36f96bcc00724a4e13ad591d7da3f0, 84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00, f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9, 84f2200208ac6a59024bed84cc, 84ca006608409912ad8fb7aed000, 84f22002185f3dafc3ac14c381536a488bf44e06d056df9d74dbd21e5a, 84f280021865165105be3373347d0424d4400af2ac393f569ec779389e00",
        "256, 33, 32, 805032000897b2055fe58599fd00, 00000000000000000000320370a8439a22cedf045fa9f1903b2834f26e000002, 8482330010508a0fd959d2e547c6b33154a6be2057, 84e29100187a5ef717eaf1e135ae92fe54429d0e465decda65f5fe5aea00, ea90dbfa648a67c5eb6abc57f8530b97d0cd5647c5e8732016b55203b078dd2ace7f8bc5d1c1cd99, 84f2200208bcc5c17275545d93, 84ca00660804806aba9d543bb600, 84f2200218717222491556ec81a45f49ce48be33320024801a1c4cb0e0, 84f2800218561f105bccd3a1642904b251ccc1228beb80a82370a8637000",
    })
    void pySimTranscripts(int bits, String levelHex, String kvnHex, String initUpdate, String initResponse, String extAuth,
                          String getEid, String getEidResponse, String case1, String case2, String case3, String case4) throws Exception {
        int level = Integer.parseInt(levelHex, 16);
        Scp03.StaticKeys k = keys(bits, Integer.parseInt(kvnHex, 16));
        byte[] host = Arrays.copyOfRange(h(initUpdate), 5, 13);
        assertEquals(initUpdate, HEX.formatHex(Scp03Session.initializeUpdate(k.version(), host)), "with Le 00");
        Scp03Session s = Scp03Session.open(k, host, h(initResponse), level);
        assertEquals(extAuth, HEX.formatHex(s.externalAuthenticate()));
        assertEquals(getEid, HEX.formatHex(s.wrap(h("80E2910006BF3E035C015A00"))));
        assertEquals("bf3e125a1089882119900000000000000000000005", HEX.formatHex(s.unwrap(body(h(getEidResponse)), 0x9000)));
        assertEquals(case1, HEX.formatHex(s.wrap(h("80F22002"))));
        assertEquals(case2, HEX.formatHex(s.wrap(h("80ca006600"))));
        assertEquals(case3, HEX.formatHex(s.wrap(h("80F220020a4f0212345c054f9f70c5"))));
        assertEquals(case4, HEX.formatHex(s.wrap(h("80f28002024f0000"))));
    }

    /** pySim's card was an eUICC: its security domain is the ISD-R, and its card challenges come from this AID. */
    private static final String ISD_R = "A0000005591010FFFFFFFF8900000100";

    @ParameterizedTest(name = "card side, AES-{0} level {1}")
    @CsvSource({
        "128, 11, 30, 8050300008b13e5f938fc108c400, 000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002, 84821100107d5f5826a993ebc89eea24957fa0b3ce, 84e291000ebf3e035c015a558d036518a2829700, bf3e125a1089882119900000000000000000000005971be68992dbbdfa, 84f220020863a63f8959827fb2, 84ca006608a0c6a4a74166f7ce00, 84f22002124f0212345c054f9f70c52249b50272656536, 84f280020a4f00e91443f6dce6b8ed00",
        "128, 03, 30, 80503000088e1552d0513c60f300, 0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001, 8482030010fd4721a14d9b07003c451d2f8ae6bb21, 84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00, bf3e125a1089882119900000000000000000000005, 84f2200208c9811b11f1264cf1, 84ca006608e10ab60b3054798800, 84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e, 84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800",
        "128, 33, 30, 8050300008fdf38259a1e0de4400, 000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003, 84823300108c36f96bcc00724a4e13ad591d7da3f0, 84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00, f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9, 84f2200208ac6a59024bed84cc, 84ca006608409912ad8fb7aed000, 84f22002185f3dafc3ac14c381536a488bf44e06d056df9d74dbd21e5a, 84f280021865165105be3373347d0424d4400af2ac393f569ec779389e00",
        "256, 33, 32, 805032000897b2055fe58599fd00, 00000000000000000000320370a8439a22cedf045fa9f1903b2834f26e000002, 8482330010508a0fd959d2e547c6b33154a6be2057, 84e29100187a5ef717eaf1e135ae92fe54429d0e465decda65f5fe5aea00, ea90dbfa648a67c5eb6abc57f8530b97d0cd5647c5e8732016b55203b078dd2ace7f8bc5d1c1cd99, 84f2200208bcc5c17275545d93, 84ca00660804806aba9d543bb600, 84f2200218717222491556ec81a45f49ce48be33320024801a1c4cb0e0, 84f2800218561f105bccd3a1642904b251ccc1228beb80a82370a8637000",
    })
    void theCardSideAnswersAndOpensExactlyAsPySimsCardDid(int bits, String levelHex, String kvnHex, String initUpdate, String initResponse, String extAuth,
                                                          String getEid, String getEidResponse, String case1, String case2, String case3, String case4) throws Exception {
        Scp03CardSession card = new Scp03CardSession(keys(bits, Integer.parseInt(kvnHex, 16)), h(ISD_R), new byte[10]);
        byte[] response = h(initResponse);
        int seq = ((response[29] & 0xFF) << 16) | ((response[30] & 0xFF) << 8) | (response[31] & 0xFF);
        assertEquals(initResponse, HEX.formatHex(card.initializeUpdate(Arrays.copyOfRange(h(initUpdate), 5, 13), seq)));
        assertTrue(card.externalAuthenticate(h(extAuth)));
        assertEquals(Integer.parseInt(levelHex, 16), card.level());
        assertEquals("80e2910006bf3e035c015a00", HEX.formatHex(card.unwrap(h(getEid))));
        assertEquals(getEidResponse, HEX.formatHex(card.wrap(h("bf3e125a1089882119900000000000000000000005"), 0x9000)));
        assertEquals("80f22002", HEX.formatHex(card.unwrap(h(case1))));
        assertEquals("80ca006600", HEX.formatHex(card.unwrap(h(case2))));
        assertEquals("80f220020a4f0212345c054f9f70c5", HEX.formatHex(card.unwrap(h(case3))));
        assertEquals("80f28002024f0000", HEX.formatHex(card.unwrap(h(case4))));
    }

    @Test
    void theHostAndTheCardOpenALevel33ChannelWithEachOtherAndATamperedCommandIsRefused() throws Exception {
        Scp03.StaticKeys k = Scp03.StaticKeys.globalPlatformTestKeys();
        Scp03CardSession card = new Scp03CardSession(k, h("A000000151000000"), new byte[10]);
        byte[] host = h("0102030405060708");
        Scp03Session s = Scp03Session.open(k, host, card.initializeUpdate(host, 7), 0x33);
        assertTrue(card.externalAuthenticate(s.externalAuthenticate()));
        byte[] plain = h("80CA9F7F00");
        assertArrayEquals(plain, card.unwrap(s.wrap(plain)));
        byte[] cplc = h("9F7F2A" + "00".repeat(42));
        assertArrayEquals(cplc, s.unwrap(card.wrap(cplc, 0x9000), 0x9000));
        byte[] wrapped = s.wrap(h("80E2000003010203"));
        wrapped[6] ^= 1;
        assertThrows(Scp03Session.Scp03Exception.class, () -> card.unwrap(wrapped));
        assertFalse(card.isOpen(), "a bad C-MAC closes the channel");
        assertFalse(new Scp03CardSession(k, h("A000000151000000"), new byte[10]).externalAuthenticate(s.externalAuthenticate()), "no INITIALIZE UPDATE first");
    }

    @Test
    void wrongKeysAreRefusedAtTheCardCryptogramAndAnAlteredResponseFailsItsRMac() throws Exception {
        byte[] host = h("fdf38259a1e0de44");
        byte[] response = h("000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003");
        Scp03.StaticKeys wrong = new Scp03.StaticKeys(0x30, new byte[16], new byte[16], new byte[16]);
        Scp03Session.Scp03Exception e = assertThrows(Scp03Session.Scp03Exception.class, () -> Scp03Session.open(wrong, host, response, 0x33));
        assertTrue(e.getMessage().contains("not this card's"), e.getMessage());
        assertThrows(Scp03Session.Scp03Exception.class, () -> Scp03Session.open(keys(128, 0x31), host, response, 0x33), "key version checked");
        Scp03Session s = Scp03Session.open(keys(128, 0x30), host, response, 0x33);
        s.externalAuthenticate();
        s.wrap(h("80E2910006BF3E035C015A00"));
        byte[] altered = h("f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9");
        altered[3] ^= 1;
        assertTrue(assertThrows(Scp03Session.Scp03Exception.class, () -> s.unwrap(altered, 0x9000)).getMessage().contains("R-MAC"));
        assertArrayEquals(new byte[0], s.unwrap(new byte[0], 0x6A82), "an error status word carries no R-MAC");
    }
}

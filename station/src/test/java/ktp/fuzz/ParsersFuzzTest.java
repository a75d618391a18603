package ktp.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import ktp.biometric.r30x.R30xCodec;
import ktp.card.ApduTransport;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.Personalizer;
import ktp.card.scp03.Scp03;
import ktp.card.scp03.Scp03Session;
import ktp.datafile.DataFileException;
import ktp.printer.PrinterProfile;
import ktp.printer.evolis.EvolisCodec;
import ktp.printer.evolis.EvolisStreamDecoder;
import ktp.record.ChipData;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The fuzzing campaign's parsers of outside bytes other than records and telemetry (docs/fuzzing.md):
 * station.yaml, the printer, card and scanner profiles and the card template (technicians' files), the
 * printer's byte stream and replies (Evolis), APDU responses (SCP03 and the personalizer's reading of a chip,
 * the chip's data groups) and R30x packets. Each property feeds damaged real inputs or random bytes and allows
 * only the parser's own error. The counts go to the test's output for docs/fuzzing.md.
 */
class ParsersFuzzTest {
    static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    static final Map<String, AtomicLong> TRIED = new ConcurrentSkipListMap<>();

    static void count(String parser) { TRIED.computeIfAbsent(parser, k -> new AtomicLong()).incrementAndGet(); }

    @AfterContainer
    static void report() { System.out.println("ParsersFuzzTest inputs: " + TRIED); }

    // ------------------------------------------------------------------ YAML files a technician edits

    interface Loader { Object load(Path file) throws DataFileException; }

    record Shipped(String path, Loader loader) {}

    static final List<Shipped> SHIPPED = List.of(
            new Shipped("station.yaml", f -> ktp.station.StationConfig.load(f, REPO.resolve("firmware-profiles"))),
            new Shipped("firmware-profiles/cards/ktpel-virtual.yaml", CardProfile::load),
            new Shipped("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml", PrinterProfile::load),
            new Shipped("firmware-profiles/scanners/r307.yaml", ktp.biometric.ScannerProfile::load),
            new Shipped("templates/ktpel.yaml", ktp.render.CardTemplate::load));

    /** YAML that has broken parsers elsewhere: anchors and aliases, tags, complex keys, tabs, deep nesting. */
    static final List<String> YAML_NASTY = List.of("a: &x [1, 2]\nb: *x\n", "x: *nowhere\n", "x: !!binary AAAA\n", "x: !!javaobject 1\n",
            "? [a, b]\n: c\n", "\tx: 1\n", "x: " + "[".repeat(2000) + "\n", "x: " + "{a: ".repeat(500) + "\n", "%YAML 9.9\n---\n",
            "---\n---\n", "x: 1\nx: 2\n", "<<: *x\n", "x: \"\\u0000\\x1b\"\n", "x: 1e99999\n", "x: 0x7fffffffffffffffff\n", "...\n", "x: |\n  \u2028\n");

    private static byte[] shipped(Shipped s) throws Exception {
        if (s.path().equals("station.yaml")) {
            try (var in = ktp.station.StationConfig.class.getResourceAsStream("station-example.yaml")) {
                return in.readAllBytes();
            }
        }
        return Files.readAllBytes(REPO.resolve(s.path()));
    }

    @Provide
    Arbitrary<Integer> files() { return Arbitraries.integers().between(0, SHIPPED.size() - 1); }

    @Property
    void damagedYamlFilesAreDataFileErrors(@ForAll("files") int which, @ForAll("damages") List<FuzzInputs.Damage> damage,
                                            @ForAll("yamlNasty") Optional<String> inserted, @ForAll("positions") int at) throws Exception {
        Shipped s = SHIPPED.get(which);
        byte[] original = shipped(s);
        byte[] bytes = FuzzInputs.apply(damage, original);
        if (inserted.isPresent()) {
            String text = new String(bytes, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n', Math.floorMod(at, Math.max(1, text.length())));
            text = nl < 0 ? text + "\n" + inserted.get() : text.substring(0, nl + 1) + inserted.get() + text.substring(nl + 1);
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }
        Path dir = Files.createTempDirectory("ktp-fuzz-yaml");
        try {
            Path f = dir.resolve(Path.of(s.path()).getFileName());
            Files.write(f, bytes);
            count("yaml:" + Path.of(s.path()).getFileName());
            try {
                s.loader().load(f);
            } catch (DataFileException expected) {
                assertFalse(expected.getMessage().isEmpty());
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Provide
    Arbitrary<Optional<String>> yamlNasty() { return Arbitraries.of(YAML_NASTY).optional(0.5); }

    @Provide
    Arbitrary<Integer> positions() { return Arbitraries.integers().greaterOrEqual(0); }

    @Provide
    Arbitrary<List<FuzzInputs.Damage>> damages() { return FuzzInputs.damages(); }

    @Provide
    Arbitrary<byte[]> randomBytes() { return FuzzInputs.bytes(600); }

    // ------------------------------------------------------------------ the printer's stream and replies

    private static final PrinterProfile PRINTER = load();

    private static PrinterProfile load() {
        try {
            return PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml"));
        } catch (DataFileException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property
    void printerRepliesNeverThrow(@ForAll("randomBytes") byte[] reply) {
        count("evolis reply");
        String text = EvolisCodec.replyText(reply);
        assertNotNull(PRINTER.errorFor(text));
    }

    @Property
    void theEvolisStreamDecoderSkipsGarbageAndNeverThrows(@ForAll("damages") List<FuzzInputs.Damage> damage, @ForAll("randomBytes") byte[] noise) {
        byte[] job = concat(EvolisCodec.command("Pws"), EvolisCodec.download('k', 1, new byte[EvolisCodec.packedLength(1016, 648, 1)]),
                EvolisCodec.command("Sr"), noise, EvolisCodec.command("Se"));
        byte[] stream = FuzzInputs.apply(damage, job);
        count("evolis stream");
        EvolisStreamDecoder d = new EvolisStreamDecoder(1016, 648);
        for (int off = 0; off < stream.length; off += 4096) d.feed(stream, off, Math.min(4096, stream.length - off));
    }

    // ------------------------------------------------------------------ R30x scanner packets

    @Property
    void r30xPacketsAreTheCodecsOwnError(@ForAll("damages") List<FuzzInputs.Damage> damage, @ForAll("randomBytes") byte[] data) {
        List<byte[]> packets = new ArrayList<>(R30xCodec.dataPackets(data, 128));
        packets.add(0, R30xCodec.ack(0));
        byte[] stream = FuzzInputs.apply(damage, concat(packets.toArray(new byte[0][])));
        count("r30x packets");
        R30xCodec.Reader reader = new R30xCodec.Reader();
        try {
            for (int off = 0; off < stream.length; off += 64) reader.feed(stream, off, Math.min(64, stream.length - off));
        } catch (R30xCodec.PacketException expected) {
            assertNotNull(expected.getMessage());
        }
        try {
            R30xCodec.unpackNibbles(stream, 16, 16);
        } catch (R30xCodec.PacketException expected) {
            assertNotNull(expected.getMessage());
        }
    }

    // ------------------------------------------------------------------ APDU responses from a chip

    private static final CardProfile CARD = loadCard();

    private static CardProfile loadCard() {
        try {
            return CardProfile.load(REPO.resolve("firmware-profiles/cards/ktpel-virtual.yaml"));
        } catch (DataFileException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property
    void scp03AnswersAreScp03Errors(@ForAll("randomBytes") byte[] response, @ForAll("randomBytes") byte[] body, @ForAll int sw) {
        count("scp03 responses");
        Scp03.StaticKeys keys = CardKeys.globalPlatformTestKeys().forCard(new byte[10]);
        byte[] challenge = new byte[8];
        try {
            Scp03Session s = Scp03Session.open(keys, challenge, response, 0x33);
            s.unwrap(body, sw & 0xFFFF);
        } catch (Scp03Session.Scp03Exception expected) {
            assertNotNull(expected.getMessage());
        }
    }

    /** A chip that answers every command with bytes of the fuzzer's choosing (data and status word). */
    @Property
    void aHostileChipIsACardOrPersonalizationError(@ForAll("answers") List<byte[]> answers) {
        count("apdu responses (personalizer)");
        int[] i = {0};
        ApduTransport chip = command -> answers.get(i[0]++ % answers.size());
        Personalizer p = new Personalizer(chip, CARD, CardKeys.globalPlatformTestKeys(), new SecureRandom(new byte[] {1}));
        try {
            p.readUid();
            p.state();
            p.readBack();
        } catch (ApduTransport.CardException | Personalizer.PersonalizationException expected) {
            assertNotNull(expected.getMessage());
        }
    }

    @Provide
    Arbitrary<List<byte[]>> answers() {
        Arbitrary<byte[]> sw = Arbitraries.of(new byte[] {(byte) 0x90, 0}, new byte[] {0x61, 0x10}, new byte[] {0x6A, (byte) 0x82}, new byte[] {0x6C, 0x05}, new byte[0], new byte[] {(byte) 0x90});
        Arbitrary<byte[]> answer = net.jqwik.api.Combinators.combine(FuzzInputs.bytes(300), sw).as(ParsersFuzzTest::concat);
        return answer.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property
    void chipDataGroupsAreVerdictsOrNamedErrors(@ForAll("randomBytes") byte[] dg1, @ForAll("randomBytes") byte[] dg3, @ForAll("randomBytes") byte[] sod) {
        count("chip data groups");
        Map<Integer, byte[]> dgs = new HashMap<>(Map.of(1, dg1, 2, dg1, 3, dg3, 4, sod));
        assertNotNull(ChipData.passiveAuthentication(dgs, sod, id -> Optional.empty()));
        try {
            ChipData.holder(dgs);
        } catch (IllegalArgumentException expected) {
            assertNotNull(expected.getMessage());
        }
        try {
            ChipData.fingerTemplates(dg3);
        } catch (IllegalArgumentException expected) {
            assertNotNull(expected.getMessage());
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) { System.arraycopy(p, 0, out, at, p.length); at += p.length; }
        return out;
    }
}

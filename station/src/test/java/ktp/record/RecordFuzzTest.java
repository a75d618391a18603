package ktp.record;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import ktp.fuzz.FuzzInputs;
import ktp.text.SafeText;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing the validator (issue 16, docs/fuzzing.md): signed records, mutated field by field and byte by byte,
 * signed again with the data center's key (and their seals made over the mutated values whenever those can be
 * read at all), go through the station's validator with the real card template's font check. The only
 * outcomes allowed are a valid record or a {@link RecordRejectedException} whose message and field hold no
 * raw control character. On main, nama ending in '\n' or U+0085 threw IllegalArgumentException here.
 */
class RecordFuzzTest {
    static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode VALID = tree(RecordJson.write(TestRecords.valid(1)));
    private static final List<String> PATHS = paths(VALID, "", new ArrayList<>());
    private static final RecordValidator VALIDATOR = validator();
    private static final AtomicLong TRIED = new AtomicLong(), ACCEPTED = new AtomicLong();
    private static final java.util.Map<Reason, AtomicLong> REASONS = new java.util.concurrent.ConcurrentSkipListMap<>();

    private static RecordValidator validator() {
        try {
            FitCheck font = new ktp.render.CardRenderer(ktp.render.CardTemplate.load(REPO.resolve("templates/ktpel.yaml"))).fitCheck();
            return new RecordValidator(TestRecords.TRUST, Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC), font);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every node's JSON pointer (objects, arrays, leaves), so a mutation can hit any of them. */
    private static List<String> paths(JsonNode n, String at, List<String> out) {
        if (!at.isEmpty()) out.add(at);
        if (n.isObject()) n.fieldNames().forEachRemaining(f -> paths(n.get(f), at + "/" + f, out));
        if (n.isArray()) for (int i = 0; i < n.size(); i++) paths(n.get(i), at + "/" + i, out);
        return out;
    }

    /** What a mutation puts in place of a node. */
    sealed interface Value permits Text, Appended, Number, Raw, Removed, Duplicated {}
    record Text(String s) implements Value {}
    record Appended(String s) implements Value {}
    record Number(BigInteger n) implements Value {}
    record Raw(String json) implements Value {}
    record Removed() implements Value {}
    record Duplicated(String s) implements Value {}
    record Mutation(String path, Value value) {}

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Value> values = Arbitraries.oneOf(
                FuzzInputs.strings().map(Text::new),
                // text the schema allows, so that mutations also reach the NIK rules, the seals and the font check
                Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'/()-").ofMinLength(1).ofMaxLength(120).map(Text::new),
                Arbitraries.of(FuzzInputs.NASTY).map(Appended::new),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(70).negate(), BigInteger.TWO.pow(70)).map(Number::new),
                Arbitraries.of("null", "true", "[]", "{}", "[1,2]", "{\"a\":1}", "1e400", "-0", "1.5", "\"\"", "2147483648", "4294967297")
                        .map(Raw::new),
                Arbitraries.just(new Removed()),
                FuzzInputs.strings().map(Duplicated::new));
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(PATHS), values).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    /** The mutated payload as JSON text (duplicated keys cannot live in a tree, so they are added as text). */
    static byte[] mutate(List<Mutation> mutations) throws Exception {
        ObjectNode root = VALID.deepCopy();
        List<String> duplicates = new ArrayList<>();
        for (Mutation m : mutations) {
            int slash = m.path().lastIndexOf('/');
            JsonNode parent = root.at(m.path().substring(0, slash));
            String name = m.path().substring(slash + 1);
            if (parent.isMissingNode() || !(parent.isObject() || parent.isArray())) continue;
            if (parent.isArray() && !name.matches("[0-9]{1,3}")) continue; // an earlier mutation changed the shape
            Value v = m.value();
            JsonNode replacement;
            if (v instanceof Text t) replacement = JsonNodeFactory.instance.textNode(t.s());
            else if (v instanceof Appended a) replacement = JsonNodeFactory.instance.textNode(parent.path(name).asText() + a.s());
            else if (v instanceof Number n) replacement = JsonNodeFactory.instance.numberNode(n.n());
            else if (v instanceof Raw r && r.json().equals("1e400")) replacement = JsonNodeFactory.instance.numberNode(new java.math.BigDecimal("1e400")); // in place
            else if (v instanceof Raw r) replacement = r.json().equals("2147483648") || r.json().equals("4294967297") ? null : JSON.readTree(r.json());
            else if (v instanceof Duplicated d) { duplicates.add(name + "\u0000" + d.s()); replacement = parent.path(name); }
            else replacement = null;
            if (m.value() instanceof Raw r && replacement == null && !(r.json().equals("1e400"))) duplicates.add(name + "\u0001" + r.json());
            if (parent instanceof ObjectNode o) {
                if (replacement == null) o.remove(name); else o.set(name, replacement);
            } else if (parent instanceof ArrayNode a) {
                int i = Integer.parseInt(name);
                if (i < a.size()) { if (replacement == null) a.remove(i); else a.set(i, replacement); }
            }
        }
        String text = JSON.writeValueAsString(root);
        for (String d : duplicates) {
            // as text: a second key of the same name at the top, or a number no tree holds exactly (1e400 ...)
            boolean raw = d.contains("\u0001");
            String[] kv = d.split(raw ? "\u0001" : "\u0000", 2);
            String value = raw ? kv[1] : JSON.writeValueAsString(kv[1]);
            text = "{" + JSON.writeValueAsString(kv[0]) + ":" + value + "," + text.substring(1);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Signed with the data center's key; the seals over the mutated values when they can be read, else over the payload. */
    static byte[] sign(byte[] payload) {
        ECPrivateKey key = (ECPrivateKey) TestRecords.KEY.getPrivate();
        byte[] cardSeal, chipSeal;
        try {
            PrintRecord r = RecordJson.read(JSON.readTree(payload));
            cardSeal = Signatures.sign(CardSeal.Contents.of(r, TestRecords.KEY_ID).signedBytes(), key);
            chipSeal = Signatures.sign(ChipData.hashList(ChipData.dataGroups(r)), key);
        } catch (Exception | StackOverflowError e) {
            cardSeal = Signatures.sign(payload, key);
            chipSeal = cardSeal;
        }
        return new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key), cardSeal, chipSeal).toJson();
    }

    /** The property every input must keep: a verdict, never another exception, and a message safe to show. */
    static void assertVerdict(byte[] envelope) {
        TRIED.incrementAndGet();
        try {
            VALIDATOR.validate(envelope);
            ACCEPTED.incrementAndGet();
        } catch (RecordRejectedException e) {
            REASONS.computeIfAbsent(e.reason(), k -> new AtomicLong()).incrementAndGet();
            assertNotEquals(Reason.INTERNAL_CHECK_FAILED, e.reason(), "a check failed unexpectedly (a defect to fix): " + e);
            assertEquals(-1, SafeText.firstUnsafe(e.getMessage()), "raw control character in " + e.getMessage());
            assertEquals(-1, SafeText.firstUnsafe(e.field()), "raw control character in field " + e.field());
        }
    }

    @Property
    void mutatedFieldsOfASignedRecordGetAVerdict(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        assertVerdict(sign(mutate(mutations)));
    }

    @Property
    void damagedPayloadBytesSignedAgainGetAVerdict(@ForAll("mutations") List<Mutation> mutations, @ForAll("damages") List<FuzzInputs.Damage> damage) throws Exception {
        assertVerdict(sign(FuzzInputs.apply(damage, mutate(mutations))));
    }

    @Property
    void damagedEnvelopeBytesGetAVerdict(@ForAll("damages") List<FuzzInputs.Damage> damage) {
        assertVerdict(FuzzInputs.apply(damage, TestRecords.envelope(TestRecords.valid(1))));
    }

    @Provide
    Arbitrary<List<FuzzInputs.Damage>> damages() { return FuzzInputs.damages(); }

    @AfterContainer
    static void report() {
        System.out.println("RecordFuzzTest: " + TRIED.get() + " envelopes validated, " + ACCEPTED.get() + " accepted, the rest rejected: " + REASONS);
    }
}

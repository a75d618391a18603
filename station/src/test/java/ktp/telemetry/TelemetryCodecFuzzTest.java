package ktp.telemetry;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import ktp.fuzz.FuzzInputs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing the MQTT payload decoders (docs/fuzzing.md). Kept apart from the codec's own tests, and written
 * against whatever decode entry points the codec has (every public static parse*(byte[]) method, found by
 * reflection), because the telemetry format is being changed in another branch: each must answer a payload
 * with a value or one of the exceptions it declares (TelemetryCodec.Rejected today), never anything else.
 */
class TelemetryCodecFuzzTest {
    static final List<Method> DECODERS = Arrays.stream(TelemetryCodec.class.getMethods())
            .filter(m -> Modifier.isStatic(m.getModifiers()) && m.getName().startsWith("parse")
                    && Arrays.equals(m.getParameterTypes(), new Class<?>[] {byte[].class}))
            .sorted(java.util.Comparator.comparing(Method::getName)).toList();
    static final Map<String, AtomicLong> TRIED = new ConcurrentSkipListMap<>();

    /** Payloads shaped like the contract's messages (they need not stay valid: each is only a start for damage). */
    static final List<String> SEEDS = List.of(
            "{\"v\":1,\"type\":\"CARD_PRINTED\",\"eventId\":\"e-1\",\"sequence\":1,\"stationId\":\"S-1\",\"recordId\":\"PRR-1\",\"nik\":\"3273014506900001\","
                    + "\"occurredAt\":\"2026-11-28T01:02:03Z\",\"publishedAt\":\"2026-11-28T01:02:04Z\"}",
            "{\"v\":1,\"collector\":\"c-1\",\"stationId\":\"S-1\",\"ranges\":[[1,5],[7,7]]}",
            "{\"v\":1,\"collector\":\"c-1\",\"group\":\"g\",\"at\":\"2026-11-28T01:02:03Z\"}",
            "{\"v\":1,\"stationId\":\"S-1\",\"state\":\"online\",\"since\":\"2026-11-28T01:02:03Z\"}",
            "{\"v\":1,\"stationId\":\"S-1\",\"at\":\"2026-11-28T01:02:03Z\",\"printer\":{\"status\":\"READY\",\"ribbonRemaining\":80},\"readerPresent\":true,\"queueDepth\":2,\"outboxDepth\":0}",
            "{\"v\":1,\"commandId\":\"cmd-1\",\"command\":\"AUTHORISE_REPRINT\",\"recordId\":\"PRR-1\",\"issuedBy\":\"office\",\"issuedAt\":\"2026-11-28T01:02:03Z\"}",
            "{\"v\":1,\"commandId\":\"cmd-1\",\"stationId\":\"S-1\",\"accepted\":true,\"detail\":\"ok\",\"at\":\"2026-11-28T01:02:03Z\"}");

    @Provide
    Arbitrary<Integer> decoders() { return Arbitraries.integers().between(0, DECODERS.size() - 1); }

    @Provide
    Arbitrary<Integer> seeds() { return Arbitraries.integers().between(0, SEEDS.size() - 1); }

    @Provide
    Arbitrary<List<FuzzInputs.Damage>> damages() { return FuzzInputs.damages(); }

    @Provide
    Arbitrary<byte[]> noise() { return FuzzInputs.bytes(400); }

    static void decode(Method m, byte[] payload) {
        TRIED.computeIfAbsent(m.getName(), k -> new AtomicLong()).incrementAndGet();
        try {
            m.invoke(null, (Object) payload);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            boolean declared = Arrays.stream(m.getExceptionTypes()).anyMatch(t -> t.isInstance(cause));
            assertTrue(declared, m.getName() + " threw " + cause + " for " + new String(payload, StandardCharsets.UTF_8));
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    @Property
    void damagedMessagesAreTheCodecsOwnRejection(@ForAll("decoders") int d, @ForAll("seeds") int s, @ForAll("damages") List<FuzzInputs.Damage> damage) {
        decode(DECODERS.get(d), FuzzInputs.apply(damage, SEEDS.get(s).getBytes(StandardCharsets.UTF_8)));
    }

    @Property
    void fieldsReplacedByAnythingAreTheCodecsOwnRejection(@ForAll("decoders") int d, @ForAll("seeds") int s, @ForAll("field") int f) {
        String seed = SEEDS.get(s);
        // replace the f-th JSON value (after a colon) by an odd one
        String[] odd = {"null", "-1", "1e400", "9223372036854775808", "\"\"", "[]", "{}", "[[9,1]]", "[[1]]", "\"\\u0000\"", "\"2026-13-45T99:99:99Z\"", "true", "\"A\""};
        int colon = -1;
        for (int i = 0; i <= f % 12; i++) {
            int next = seed.indexOf(':', colon + 1);
            if (next < 0) break;
            colon = next;
        }
        if (colon < 0) colon = seed.indexOf(':');
        int end = colon + 1;
        int depth = 0;
        while (end < seed.length()) {
            char c = seed.charAt(end);
            if (c == '[' || c == '{') depth++;
            if (c == ']' || c == '}') { if (depth == 0) break; depth--; }
            if (c == ',' && depth == 0) break;
            end++;
        }
        String mutated = seed.substring(0, colon + 1) + odd[Math.floorMod(f, odd.length)] + seed.substring(end);
        decode(DECODERS.get(d), mutated.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<Integer> field() { return Arbitraries.integers().between(0, 10_000); }

    @Property
    void randomBytesAreTheCodecsOwnRejection(@ForAll("decoders") int d, @ForAll("noise") byte[] payload) {
        decode(DECODERS.get(d), payload);
    }

    @AfterContainer
    static void report() {
        assertFalse(DECODERS.isEmpty(), "TelemetryCodec has parse*(byte[]) methods");
        System.out.println("TelemetryCodecFuzzTest inputs per decoder: " + TRIED);
    }
}

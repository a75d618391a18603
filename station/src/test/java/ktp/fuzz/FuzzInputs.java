package ktp.fuzz;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Inputs for the fuzzing campaign (docs/fuzzing.md): strings a hostile or broken sender might put in a field,
 * and byte-level damage to a valid message. jqwik drives them, so a failure prints its seed and shrinks to a
 * small example; the number of tries is jqwik's default (junit-platform.properties), raised for the long run
 * with -Djqwik.tries.default=N.
 */
public final class FuzzInputs {
    private FuzzInputs() {}

    /** Line terminators, controls, format characters, separators, lone surrogates, and ordinary odd text. */
    public static final List<String> NASTY = List.of("", " ", "\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029", "\u0000", "\u0007",
            "\u001b[2K\r", "\u001b]0;x\u0007", "\u007f", "\u009b31m", "\u200b", "\u200e", "\u202e", "\ufeff", "\t", "\ud800", "\udfff",
            "|", "\"", "\\", "{", "}", "[", "]", ":", ",", "-1", "0", "1e400", "NaN", "null", "true", "\u00df", "\u0130", "\uD83D\uDE00",
            "A".repeat(300), "9".repeat(40), "%s%n", "${jndi:ldap://x}", "../../etc/passwd");

    /** Any string: arbitrary code units (surrogates included), the nasty ones, or nasty ones around letters. */
    public static Arbitrary<String> strings() {
        Arbitrary<String> nasty = Arbitraries.of(NASTY);
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().ascii().ofMaxLength(40),
                nasty,
                Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(12), nasty, Arbitraries.strings().alpha().ofMaxLength(12)).as((a, n, b) -> a + n + b));
    }

    /** One change to a byte array: flip a bit, set a byte, insert, delete, truncate, or repeat a span. */
    public record Damage(int kind, int position, int value, int length) {
        public byte[] applyTo(byte[] in) {
            if (in.length == 0) return new byte[] {(byte) value};
            int at = Math.floorMod(position, in.length);
            List<Byte> out = new ArrayList<>(in.length + 8);
            for (byte b : in) out.add(b);
            switch (kind) {
                case 0 -> out.set(at, (byte) (out.get(at) ^ (1 << (value & 7))));
                case 1 -> out.set(at, (byte) value);
                case 2 -> { for (int i = 0; i < 1 + length % 8; i++) out.add(at, (byte) (value + i)); }
                case 3 -> { for (int i = 0; i < 1 + length % 16 && at < out.size(); i++) out.remove(at); }
                case 4 -> { while (out.size() > at) out.remove(out.size() - 1); }
                default -> { int n = Math.min(1 + length % 32, out.size() - at); out.addAll(at, new ArrayList<>(out.subList(at, at + n))); }
            }
            byte[] b = new byte[out.size()];
            for (int i = 0; i < b.length; i++) b[i] = out.get(i);
            return b;
        }
    }

    public static Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().greaterOrEqual(0),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 1000)).as(Damage::new);
    }

    /** One to four pieces of damage in a row. */
    public static Arbitrary<List<Damage>> damages() { return damage().list().ofMinSize(1).ofMaxSize(4); }

    public static byte[] apply(List<Damage> damages, byte[] in) {
        byte[] b = in;
        for (Damage d : damages) b = d.applyTo(b);
        return b;
    }

    /** Random bytes, for parsers that must also survive input that was never a message at all. */
    public static Arbitrary<byte[]> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }
}

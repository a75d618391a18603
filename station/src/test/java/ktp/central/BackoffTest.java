package ktp.central;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void ceilingDoublesFromTheBaseAndStopsAtTheMaximum() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), new Random(1));
        assertEquals(0, b.ceilingMillis(0));
        assertEquals(500, b.ceilingMillis(1));
        assertEquals(1000, b.ceilingMillis(2));
        assertEquals(32_000, b.ceilingMillis(7));
        assertEquals(60_000, b.ceilingMillis(8));
        assertEquals(60_000, b.ceilingMillis(1000));
    }

    @Test
    void waitsAreJitteredWithinTheCeilingAndResetAfterSuccess() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(7));
        Set<Long> seen = new HashSet<>();
        for (int i = 1; i <= 40; i++) {
            long wait = b.next().toMillis();
            assertTrue(wait >= 0 && wait <= b.ceilingMillis(i), "wait " + wait + " after " + i + " failures");
            if (i > 8) seen.add(wait);
        }
        assertTrue(seen.size() > 20, "waits at the cap must differ from one another (jitter), got " + seen);
        assertEquals(40, b.failures());
        b.reset();
        assertEquals(0, b.failures());
        assertTrue(b.next().toMillis() <= 100);
    }

    @Test
    void twoStationsCutOffTogetherDoNotRetryInStep() {
        Backoff a = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), new Random(1));
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), new Random(2));
        int same = 0;
        for (int i = 0; i < 10; i++) if (a.next().equals(b.next())) same++;
        assertTrue(same < 3, "the two stations waited the same " + same + " times of 10");
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()));
    }
}

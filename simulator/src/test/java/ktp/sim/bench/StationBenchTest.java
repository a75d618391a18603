package ktp.sim.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The station benchmark measures what it says: every card through the daemon, gaps from the printer's own clock. */
class StationBenchTest {
    @Test
    void theStationBenchTimesEveryCardAndThePrintersMechanicsBoundTheRealTimingRun() throws Exception {
        StationBench.Result r = StationBench.run(8, 3, 100, new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(8, r.cards());
        assertEquals(4, r.perCard().samples(), "8 cards, 3 warming up: 4 intervals between cards coming out");
        assertTrue(r.perCard().medianMicros() > 0 && r.perCard().p99Micros() >= r.perCard().medianMicros(), r.toString());
        assertEquals(1e6 / r.perCard().medianMicros(), r.cardsPerSecond(), 1e-9);
        assertEquals(4, r.stationCpuPerCard().samples(), "the station's CPU sampled at each card out");
        assertTrue(r.stationCpuPerCard().medianMicros() > 0, "the daemon's own threads spend CPU on a card: " + r.stationCpuPerCard());
        assertEquals(2, r.realGapsMillis().size(), "3 cards at real timings: 2 gaps");
        // A dual-sided YMCKO card takes the simulator 42 s at real timings (10 panels at 3.5 s, 7 s of card
        // handling): at 100x no card can come out faster than 0.42 s after the one before.
        assertTrue(r.realSecondsPerCard() >= 0.42, "the printer's mechanics are not skipped: " + r.realSecondsPerCard());
    }
}

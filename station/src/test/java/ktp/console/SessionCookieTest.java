package ktp.console;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The console's cookies: Secure only behind TLS, always HttpOnly and SameSite=Strict; sign-in tokens are the console's own and single-use. */
class SessionCookieTest {
    @Test
    void cookiesAreSecureBehindTlsAndOnlyThen() {
        Sessions s = new Sessions(Clock.systemUTC(), Duration.ofMinutes(15), 5, Duration.ofMinutes(15));
        String tls = new ConsoleContext(null, null, s, Clock.systemUTC(), true).cookie(ConsoleContext.COOKIE, "abc", "/", null);
        String plain = new ConsoleContext(null, null, s, Clock.systemUTC(), false).cookie(ConsoleContext.COOKIE, "abc", "/", null);
        assertTrue(tls.contains("; Secure") && tls.contains("HttpOnly") && tls.contains("SameSite=Strict"), tls);
        assertFalse(plain.contains("Secure"), plain);
        assertTrue(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"), plain);
    }

    @Test
    void aSignInTokenIsGoodOnlyIfIssuedHereOnceAndInTime() {
        Instant[] now = {Instant.parse("2026-12-01T08:00:00Z")};
        Clock clock = new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId z) { return this; }
            public Instant instant() { return now[0]; }
        };
        Sessions s = new Sessions(clock, Duration.ofMinutes(15), 5, Duration.ofMinutes(15));
        assertFalse(s.takePreToken("chosen", "chosen"), "a value the client chose");
        String t = s.issuePreToken();
        assertFalse(s.takePreToken(t, t + "x"), "the field differs");
        assertFalse(s.takePreToken(t, t), "used up by the failed attempt");
        String u = s.issuePreToken();
        assertTrue(s.takePreToken(u, u));
        assertFalse(s.takePreToken(u, u), "used once");
        String late = s.issuePreToken();
        now[0] = now[0].plus(Sessions.PRE_TOKEN_LIFE).plusSeconds(1);
        assertFalse(s.takePreToken(late, late), "too old");
        for (int i = 0; i < Sessions.MAX_PRE_TOKENS + 50; i++) s.issuePreToken();
        String fresh = s.issuePreToken();
        assertTrue(s.takePreToken(fresh, fresh), "a flood does not push out the newest token");
    }
}

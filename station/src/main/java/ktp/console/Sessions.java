package ktp.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import ktp.store.Role;

/**
 * Signed-in sessions, in memory (a restart signs everyone out): a random 256-bit id in an HttpOnly,
 * SameSite=Strict cookie, a CSRF token per session that every form must send back, an idle time-out and an
 * absolute one; and the count of wrong passwords per account, which locks it for a while after too many.
 */
public final class Sessions {
    /** However active, a session lasts at most a working day. */
    public static final Duration ABSOLUTE = Duration.ofHours(10);

    public record Session(String id, String user, Role role, String csrf, Instant created, Instant lastSeen) {}

    /** Why a session was not found: never existed (or signed out), or timed out. */
    public enum Miss { NONE, EXPIRED }

    private final Clock clock;
    private final Duration idle;
    private final int lockoutAfter;
    private final Duration lockout;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, int[]> failures = new ConcurrentHashMap<>();
    private final Map<String, Instant> lockedUntil = new ConcurrentHashMap<>();
    /** Sign-in form tokens this console issued and that are not used yet, with when each stops being good. */
    private final Map<String, Instant> preTokens = new ConcurrentHashMap<>();
    /** However many sign-in pages are asked for, the unused tokens are bounded. */
    static final int MAX_PRE_TOKENS = 10_000;
    static final Duration PRE_TOKEN_LIFE = Duration.ofMinutes(30);

    public Sessions(Clock clock, Duration idle, int lockoutAfter, Duration lockout) {
        this.clock = clock;
        this.idle = idle;
        this.lockoutAfter = lockoutAfter;
        this.lockout = lockout;
    }

    public Session open(String user, Role role) {
        Instant now = clock.instant();
        Session s = new Session(token(), user, role, token(), now, now);
        sessions.put(s.id(), s);
        failures.remove(user);
        return s;
    }

    /** The live session with this id, its idle clock restarted; empty with why when there is none. */
    public Optional<Session> touch(String id, Miss[] why) {
        why[0] = Miss.NONE;
        if (id == null) return Optional.empty();
        Session s = sessions.get(id);
        if (s == null) return Optional.empty();
        Instant now = clock.instant();
        if (now.isAfter(s.lastSeen().plus(idle)) || now.isAfter(s.created().plus(ABSOLUTE))) {
            sessions.remove(id);
            why[0] = Miss.EXPIRED;
            return Optional.empty();
        }
        Session t = new Session(s.id(), s.user(), s.role(), s.csrf(), s.created(), now);
        sessions.put(id, t);
        return Optional.of(t);
    }

    public void close(String id) {
        if (id != null) sessions.remove(id);
    }

    /** Until when the account is locked, if it is. */
    public Optional<Instant> lockedUntil(String user) {
        Instant until = lockedUntil.get(user);
        if (until == null) return Optional.empty();
        if (clock.instant().isAfter(until)) {
            lockedUntil.remove(user);
            return Optional.empty();
        }
        return Optional.of(until);
    }

    /** Counts a wrong password; returns when the account is now locked (empty while it is not yet). */
    public Optional<Instant> failed(String user) {
        // Names are whatever someone typed: the count is bounded so that guessing names cannot fill the memory.
        if (failures.size() > 10_000) failures.clear();
        int[] n = failures.computeIfAbsent(user, k -> new int[1]);
        synchronized (n) {
            if (++n[0] < lockoutAfter) return Optional.empty();
            n[0] = 0;
        }
        Instant until = clock.instant().plus(lockout);
        lockedUntil.put(user, until);
        return Optional.of(until);
    }

    /**
     * A new token for a sign-in form (there is no session yet): the console sets it as a cookie and puts it in
     * the form. Only a value this console issued is accepted back, once, so a cookie planted by another site or
     * subdomain with a matching form field of its own choosing is refused (login CSRF).
     */
    public String issuePreToken() {
        Instant now = clock.instant();
        if (preTokens.size() >= MAX_PRE_TOKENS) preTokens.values().removeIf(until -> now.isAfter(until));
        if (preTokens.size() >= MAX_PRE_TOKENS) {
            // Flooded by someone asking for sign-in pages: the oldest tokens go (their forms must be reloaded).
            preTokens.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(MAX_PRE_TOKENS / 10).map(Map.Entry::getKey).toList().forEach(preTokens::remove);
        }
        String t = token();
        preTokens.put(t, now.plus(PRE_TOKEN_LIFE));
        return t;
    }

    /** Whether {@code cookie} is a sign-in token this console issued and that is still unused and good (a reloaded sign-in page keeps it). */
    public boolean livePreToken(String cookie) {
        if (cookie == null) return false;
        Instant until = preTokens.get(cookie);
        return until != null && !clock.instant().isAfter(until);
    }

    /** Whether {@code cookie} is a sign-in token this console issued, still good, and {@code field} is the same; it is used up either way. */
    public boolean takePreToken(String cookie, String field) {
        if (cookie == null || field == null) return false;
        Instant until = preTokens.remove(cookie);
        return until != null && !clock.instant().isAfter(until)
                && java.security.MessageDigest.isEqual(cookie.getBytes(java.nio.charset.StandardCharsets.US_ASCII), field.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}

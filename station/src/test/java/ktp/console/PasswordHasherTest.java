package ktp.console;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher();

    /** The reference implementation's own Argon2id vector (phc-winner-argon2, src/test.c): "password", salt "somesalt". */
    @Test
    void verifiesTheReferenceImplementationsArgon2idVector() {
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertTrue(hasher.verify("password".toCharArray(), reference));
        assertFalse(hasher.verify("Password".toCharArray(), reference));
    }

    @Test
    void aHashVerifiesItsPasswordOnlyAndEachHasItsOwnSalt() {
        String h1 = hasher.hash("correct horse battery".toCharArray());
        String h2 = hasher.hash("correct horse battery".toCharArray());
        assertTrue(h1.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), h1);
        assertNotEquals(h1, h2, "a random salt per hash");
        assertTrue(hasher.verify("correct horse battery".toCharArray(), h1));
        assertTrue(hasher.verify("correct horse battery".toCharArray(), h2));
        assertFalse(hasher.verify("correct horse batterY".toCharArray(), h1));
        assertFalse(hasher.verify("".toCharArray(), h1));
    }

    @Test
    void malformedOrWeakenedHashesNeverVerify() {
        String h = hasher.hash("pw-1234567890".toCharArray());
        assertFalse(hasher.verify("pw-1234567890".toCharArray(), null));
        assertFalse(hasher.verify("pw-1234567890".toCharArray(), ""));
        assertFalse(hasher.verify("pw-1234567890".toCharArray(), h.replace("argon2id", "argon2i")));
        assertFalse(hasher.verify("pw-1234567890".toCharArray(), h.replace("m=19456", "m=1")), "parameters outside the accepted range");
        assertFalse(hasher.verify("pw-1234567890".toCharArray(), h.substring(0, h.length() - 4)), "a truncated hash");
        assertFalse(hasher.verify("pw-1234567890".toCharArray(), h.replace("$v=19$", "$v=16$")));
    }
}

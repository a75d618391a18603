package ktp.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import ktp.console.PasswordHasher;
import ktp.console.Users;
import ktp.store.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ktp console user add` never replaces an account by accident, and says whose role changes when asked to. */
class ConsoleUserCommandTest {
    @TempDir
    Path dir;

    private static KtpCommandLineTest.Result withPassword(String password, String... args) {
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
            return KtpCommandLineTest.run(args);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void anExistingAccountIsReplacedOnlyWithReplaceAndTheRoleChangeIsSaid() throws Exception {
        Path file = dir.resolve("users.json");
        String f = file.toString();
        KtpCommandLineTest.Result first = withPassword("sari-password-1", "console", "user", "add", "--users", f, "--name", "sari", "--role", "operator");
        assertEquals(0, first.exit(), first.err());
        String hash = Users.load(file).find("sari").orElseThrow().hash();

        KtpCommandLineTest.Result refused = withPassword("other-password-2", "console", "user", "add", "--users", f, "--name", "sari", "--role", "supervisor");
        assertNotEquals(0, refused.exit());
        // In the operator's language (the catalogue's cli.err.user.exists), naming the account, its role and the way out.
        assertTrue(refused.err().contains("akun 'sari' (operator) sudah ada") && refused.err().contains("--replace")
                && refused.err().contains("mengubah perannya menjadi supervisor"), refused.err());
        Users after = Users.load(file);
        assertEquals(hash, after.find("sari").orElseThrow().hash(), "the refused command changed nothing");
        assertEquals(Role.OPERATOR, after.find("sari").orElseThrow().role());

        KtpCommandLineTest.Result replaced = withPassword("other-password-2", "console", "user", "add", "--users", f, "--name", "sari", "--role", "supervisor", "--replace");
        assertEquals(0, replaced.exit(), replaced.err());
        assertTrue(replaced.out().contains("akun sari: peran berubah dari operator menjadi supervisor"), replaced.out());
        Users.User now = Users.load(file).find("sari").orElseThrow();
        assertEquals(Role.SUPERVISOR, now.role());
        assertTrue(new PasswordHasher().verify("other-password-2".toCharArray(), now.hash()));
        // The password is kept exactly as typed: a trailing space is part of it.
        KtpCommandLineTest.Result spaced = withPassword("spaced-password ", "console", "user", "add", "--users", f, "--name", "budi", "--role", "operator");
        assertEquals(0, spaced.exit(), spaced.err());
        assertTrue(new PasswordHasher().verify("spaced-password ".toCharArray(), Users.load(file).find("budi").orElseThrow().hash()));
        assertFalse(new PasswordHasher().verify("spaced-password".toCharArray(), Users.load(file).find("budi").orElseThrow().hash()));
    }
}

package ktp.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ktp.console.PasswordHasher;
import ktp.console.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "console", mixinStandardHelpOptions = true, description = "The operator console's accounts (docs/console.md).",
        subcommands = ConsoleCommand.UserAdd.class)
final class ConsoleCommand extends CommandGroup {
    @Command(name = "user", mixinStandardHelpOptions = true, description = {"Add an account to the console's users file, or set a new password",
            "for one. The password is asked twice on a terminal, or read from the first line of standard input (at least 10 characters)."})
    static final class UserAdd implements Callable<Integer> {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "add", description = "add an account (--replace to replace one)")
        String verb;

        @Option(names = "--users", paramLabel = "FILE", required = true, description = "the users file the configuration's console.users names")
        Path users;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "2 to 32 of a-z, 0-9, '.', '_', '-'")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", required = true, description = "operator, supervisor or technician")
        String role;

        @Option(names = "--replace", description = "replace an account that exists already (its password, and its role if --role differs)")
        boolean replace;

        @Override
        public Integer call() throws IOException {
            if (!"add".equals(verb)) throw CliText.bad("err.user.action", verb);
            if (!Users.validName(name)) throw CliText.bad("err.user.name", name);
            ktp.store.Role r;
            try {
                r = Users.role(role);
            } catch (IOException e) {
                throw CliText.bad("err.user.role", role);
            }
            Users u;
            try {
                u = Users.load(users);
            } catch (IOException e) {
                throw CliText.bad("err.user.users", e.getMessage());
            }
            // An existing account is replaced only when asked, and the role change is said before the password is asked.
            java.util.Optional<Users.User> before = u.find(name);
            if (before.isPresent() && !replace) {
                throw CliText.bad("err.user.exists", name, lower(before.get().role()), users.toString(), before.get().role() == r ? "" : CliText.error("err.user.andRole", lower(r)));
            }
            if (before.isPresent() && before.get().role() != r) {
                System.out.println(CliText.t("user.roleChanges", name, lower(before.get().role()), lower(r)));
            }
            char[] pw;
            java.io.Console tty = System.console();
            if (tty != null) {
                pw = tty.readPassword("%s", CliText.t("user.password", name));
                char[] again = tty.readPassword("%s", CliText.t("user.again"));
                if (pw == null || again == null || !java.util.Arrays.equals(pw, again)) throw CliText.bad("err.user.differ");
            } else {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                pw = line == null ? new char[0] : line.toCharArray();
            }
            if (pw.length < 10) throw CliText.bad("err.user.short");
            u.put(name, r, new PasswordHasher().hash(pw));
            java.util.Arrays.fill(pw, '\0');
            System.out.println(CliText.t(before.isPresent() ? "user.replaced" : "user.saved", name, lower(r), users.toString()));
            return ExitCodes.OK;
        }

        private static String lower(ktp.store.Role r) { return r.name().toLowerCase(java.util.Locale.ROOT); }
    }
}

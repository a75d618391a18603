package ktp.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;
import ktp.datafile.PrivateFiles;
import ktp.station.StationConfig;

/**
 * What `ktp station check-config` warns about in a configuration that loads (issue 16): each warning names the
 * key to fix. A secret or store file another user can read, a console that listens beyond loopback over plain
 * HTTP, a console whose users file is missing, a store path that is not a folder.
 */
final class ConfigWarnings {
    private ConfigWarnings() {}

    static List<String> of(StationConfig c) {
        List<String> w = new ArrayList<>(c.warnings()); // what loading said (the old address form)
        secret(w, "central.key", c.central().key());
        secret(w, "central.token_file", c.central().tokenFile());
        secret(w, "encoder.master_key", c.encoder().masterKey());
        secret(w, "telemetry.key", c.telemetry().broker().key());
        try {
            DataFile.Node t = DataFile.load(c.file()).object("telemetry");
            if (t.has("password_file")) secret(w, "telemetry.password_file", c.file().toAbsolutePath().getParent().resolve(t.text("password_file")));
        } catch (DataFileException e) {
            w.add("telemetry.password_file: cannot be read again to check its mode (" + e.message(CliText.language()) + ")");
        }
        store(w, c.store());
        StationConfig.Console console = c.console();
        if (console.users() != null) {
            if (!Files.exists(console.users())) {
                w.add("console.users: " + console.users() + " does not exist, so the console will not start; add an account with: ktp console user add --users "
                        + console.users() + " --name NAME --role supervisor");
            } else {
                secret(w, "console.users", console.users());
            }
            String host = console.listen().substring(0, console.listen().lastIndexOf(':')).replace("[", "").replace("]", "");
            if (!loopback(host)) {
                w.add("console.listen: " + console.listen() + " is reachable beyond this machine over plain HTTP (passwords and NIKs in clear);"
                        + " listen on 127.0.0.1 and put a TLS reverse proxy in front (docs/console.md)");
            }
        }
        return w;
    }

    private static boolean loopback(String host) {
        if (host.equals("localhost")) return true;
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static void secret(List<String> w, String key, Path file) {
        if (file == null || !Files.exists(file)) return;
        try {
            if (PrivateFiles.readableByOthers(file)) {
                w.add(key + ": " + file + " is " + PrivateFiles.mode(file) + ", readable by other users; make it owner-only: chmod 600 " + file);
            }
        } catch (IOException e) {
            w.add(key + ": cannot read the mode of " + file + " (" + e.getMessage() + ")");
        }
    }

    private static void store(List<String> w, Path store) {
        if (!Files.exists(store)) return; // made (0700) at the first run
        if (!Files.isDirectory(store)) {
            w.add("station.store: " + store + " is not a folder; the store is a folder the daemon creates (move the file away or name another path)");
            return;
        }
        try {
            if (PrivateFiles.readableByOthers(store)) w.add("station.store: the folder " + store + " is " + PrivateFiles.mode(store)
                    + "; it holds photos and fingerprint templates until cards are issued: chmod 700 " + store);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(store)) {
                for (Path f : files) {
                    if (Files.isRegularFile(f) && PrivateFiles.readableByOthers(f)) {
                        w.add("station.store: " + f + " is " + PrivateFiles.mode(f) + ", readable by other users: chmod 600 " + f);
                    }
                }
            }
        } catch (IOException e) {
            w.add("station.store: cannot read the modes in " + store + " (" + e.getMessage() + ")");
        }
    }
}

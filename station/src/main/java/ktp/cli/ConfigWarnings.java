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
        List<String> w = new ArrayList<>();
        // What loading said (the old address form), with the file, key, line and column, in the operator's language.
        for (DataFileException said : c.warnings()) w.add(said.message(CliText.language()));
        secret(w, "central.key", c.central().key());
        secret(w, "central.token_file", c.central().tokenFile());
        secret(w, "encoder.master_key", c.encoder().masterKey());
        secret(w, "telemetry.key", c.telemetry().broker().key());
        try {
            DataFile.Node t = DataFile.load(c.file()).object("telemetry");
            if (t.has("password_file")) secret(w, "telemetry.password_file", c.file().toAbsolutePath().getParent().resolve(t.text("password_file")));
        } catch (DataFileException e) {
            w.add(CliText.t("warn.passwordFile", e.message(CliText.language())));
        }
        store(w, c.store());
        StationConfig.Console console = c.console();
        if (console.users() != null) {
            if (!Files.exists(console.users())) {
                w.add(CliText.t("warn.usersMissing", console.users().toString()));
            } else {
                secret(w, "console.users", console.users());
            }
            String host = console.listen().substring(0, console.listen().lastIndexOf(':')).replace("[", "").replace("]", "");
            if (!loopback(host)) {
                w.add(CliText.t("warn.listen", console.listen()));
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
                w.add(CliText.t("warn.secret", key, file.toString(), PrivateFiles.mode(file)));
            }
        } catch (IOException e) {
            w.add(CliText.t("warn.secretUnread", key, file.toString(), String.valueOf(e.getMessage())));
        }
    }

    private static void store(List<String> w, Path store) {
        if (!Files.exists(store)) return; // made (0700) at the first run
        if (!Files.isDirectory(store)) {
            w.add(CliText.t("warn.storeNotFolder", store.toString()));
            return;
        }
        try {
            if (PrivateFiles.readableByOthers(store)) w.add(CliText.t("warn.storeFolder", store.toString(), PrivateFiles.mode(store)));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(store)) {
                for (Path f : files) {
                    if (Files.isRegularFile(f) && PrivateFiles.readableByOthers(f)) {
                        w.add(CliText.t("warn.storeFile", f.toString(), PrivateFiles.mode(f)));
                    }
                }
            }
        } catch (IOException e) {
            w.add(CliText.t("warn.storeUnread", store.toString(), String.valueOf(e.getMessage())));
        }
    }
}

package ktp.sim.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import ktp.sim.card.VpcdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "card", mixinStandardHelpOptions = true,
        description = {"Put a virtual KTP-el card into pcscd's vpcd reader (Debian packages pcscd and vsmartcard-vpcd), so that",
                "`ktp card ...` and the station reach it through the real PC/SC stack. Keys: the GlobalPlatform test keys at key",
                "version 0 (default configuration) and, with --issuer-master, its own keys derived as the card profile says.",
                "Console: state | wipe (a fresh blank) | pull N (removed after N more commands) | insert | mute on|off",
                "         | fail-writes SW (hex, 0 = off) | tamper DG OFFSET (DG 1-4, 29 = SOD)"})
final class CardSimCommand implements Callable<Integer> {
    @Option(names = "--vpcd", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:35963", description = "vpcd's address (default ${DEFAULT-VALUE})")
    String vpcd;

    @Option(names = "--uid", paramLabel = "HEX", defaultValue = "04A1B2C3D4E5F6", description = "the chip's UID (default ${DEFAULT-VALUE})")
    String uid;

    @Option(names = "--issuer-master", paramLabel = "FILE", description = "issuer master key (hex): the card also holds its diversified keys at the profile's key version")
    java.nio.file.Path issuerMaster;

    @Option(names = "--no-test-keys", description = "refuse the GlobalPlatform test keys (a production-like card)")
    boolean noTestKeys;

    @Override
    public Integer call() throws Exception {
        byte[] id;
        try {
            id = java.util.HexFormat.of().parseHex(uid);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--uid must be hex, got " + uid);
        }
        var address = CentralCommand.parseListen(vpcd);
        ktp.card.CardProfile profile = VirtualCards.profile();
        java.util.Optional<byte[]> master = java.util.Optional.empty();
        if (issuerMaster != null) {
            try {
                master = java.util.Optional.of(java.util.HexFormat.of().parseHex(java.nio.file.Files.readString(issuerMaster).replaceAll("\\s", "")));
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new BadInputException("--issuer-master " + issuerMaster + ": not a readable hex key (" + e.getClass().getSimpleName() + ")");
            }
        }
        VirtualCard card;
        try {
            card = new VirtualCard(profile, id, master, !noTestKeys);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        try (VpcdClient client = VpcdClient.connect(address.getHostString(), address.getPort(), card)) {
            System.out.println("virtual card " + uid + " in vpcd at " + vpcd + "; state " + card.state());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] w = line.trim().split("\\s+");
                    try {
                        switch (w[0]) {
                            case "state" -> System.out.println(card.state() + ", " + card.commands() + " commands so far");
                            case "wipe" -> card.wipe();
                            case "pull" -> card.pullOutAfter(Integer.parseInt(w[1]));
                            case "insert" -> card.insert();
                            case "mute" -> card.mute(w[1].equals("on"));
                            case "fail-writes" -> card.failWritesWith(Integer.parseInt(w[1], 16));
                            case "tamper" -> card.tamper(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                            case "" -> { continue; }
                            default -> { System.out.println("unknown: " + line); continue; }
                        }
                        System.out.println("ok: " + line.trim());
                    } catch (RuntimeException e) {
                        System.out.println("cannot: " + e.getMessage());
                    }
                }
            }
            Thread.currentThread().join();
        } catch (java.io.IOException e) {
            System.err.println("ktp: cannot reach vpcd at " + vpcd + " (is pcscd running with vsmartcard-vpcd?): " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}

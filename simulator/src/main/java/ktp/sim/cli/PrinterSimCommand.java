package ktp.sim.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.printer.PrinterProfile;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "printer", mixinStandardHelpOptions = true,
        description = {"Run a simulated Evolis-dialect card printer on a TCP port or a serial device (a pty from socat). It decodes",
                "every job back into the printed card (PNG files in --out), answers status and counter queries, counts",
                "ribbon and feeder cards, takes the profile's timings, and injects faults.",
                "A serial pair for a station on the same machine:",
                "  socat -d -d pty,raw,echo=0,link=/tmp/ktp-printer pty,raw,echo=0,link=/tmp/ktp-station",
                "  ./ktp sim printer --profile evolis-primacy-dual-ymcko --serial /tmp/ktp-printer",
                "  ./ktp printer status --printer serial:/tmp/ktp-station?baud=115200",
                "While it runs, type on its console: ribbon N | feeder N | jam | clear | cover open|close | hopper full|empty |",
                "garbage [N] | silence [N] | heat [N] (the same words as the ESC Zsim;... commands, docs/printer-protocol.md)."})
final class PrinterSimCommand implements Callable<Integer> {
    @Option(names = "--profile", paramLabel = "ID|FILE", required = true, description = "printer profile to behave as")
    String profile;

    @Option(names = "--listen", paramLabel = "tcp://HOST:PORT", description = "TCP address (for example tcp://127.0.0.1:9100; port 0: a free one)")
    String listen;

    @Option(names = "--serial", paramLabel = "DEVICE", description = "serial device or pty to answer on")
    String serial;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1", description = "time factor: 1 = the profile's real timings, 100 = 100 times faster (default ${DEFAULT-VALUE})")
    double speed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "printed-cards", description = "where printed cards go as PNG (default ./${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--ribbon", paramLabel = "N", description = "cards left on the ribbon (default: the profile's)")
    Integer ribbon;

    @Option(names = "--feeder", paramLabel = "N", description = "blank cards in the feeder (default: the profile's)")
    Integer feeder;

    @Option(names = "--ribbon-out-after", paramLabel = "N", description = "the ribbon runs out after N printed cards")
    Integer ribbonOutAfter;

    @Option(names = "--jam-at", paramLabel = "N", description = "the N-th card taken jams")
    Integer jamAt;

    @Option(names = "--vpcd", paramLabel = "HOST:PORT", description = "put a virtual KTP-el chip (GlobalPlatform test keys) in each blank: at the chip station it is connected "
            + "to this vpcd reader (pcscd's vpcd on 127.0.0.1:35963, or a lab station's encoder.lab_reader); type 'counter UID' to put a printed card back for issuance")
    String vpcd;

    @Override
    public Integer call() throws Exception {
        if ((listen == null) == (serial == null)) throw new BadInputException("give one of --listen tcp://HOST:PORT or --serial DEVICE");
        if (!(speed > 0 && speed <= 1e6)) throw new BadInputException("--speed must be in (0, 1000000]");
        PrinterProfile p = BenchCommand.printerProfile(profile);
        SimulatedPrinter printer = new SimulatedPrinter(p, speed, out);
        if (ribbon != null) printer.setRibbon(ribbon);
        if (feeder != null) printer.setFeeder(feeder);
        if (ribbonOutAfter != null) printer.ribbonOutAfter(ribbonOutAfter);
        if (jamAt != null) printer.jamAtCard(jamAt);
        ktp.sim.card.VpcdBlankStock[] stock = {null};
        if (vpcd != null) {
            InetSocketAddress v = CentralCommand.parseListen(vpcd.startsWith("tcp://") ? vpcd.substring(6) : vpcd);
            ktp.card.CardProfile cards = ktp.sim.card.VirtualCards.profile();
            stock[0] = new ktp.sim.card.VpcdBlankStock(v.getHostString(), v.getPort(), n -> ktp.sim.card.VirtualCards.blank(cards, n, java.util.Optional.empty()));
            printer.attachContactStation(stock[0]);
        }
        PrinterSimServer server;
        if (listen != null) {
            InetSocketAddress address = CentralCommand.tcpListen(listen);
            server = PrinterSimServer.tcp(printer, address);
            System.out.println("printer " + p.id() + " (" + p.model() + ") listening; printer URI tcp://" + address.getHostString() + ":" + server.port());
        } else {
            server = PrinterSimServer.serial(printer, serial, p.link().baud());
            System.out.println("printer " + p.id() + " (" + p.model() + ") answering on " + serial);
        }
        System.out.println("printed cards go to " + out.toAbsolutePath() + "; timings x" + speed + "; type 'help' for faults");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                // closing anyway
            }
            stop.countDown();
        }));
        Thread console = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) continue;
                    if (line.trim().startsWith("counter ") && stock[0] != null) {
                        // The holder's visit: the printed card with this chip UID back into the vpcd reader, until 'counter off'.
                        String uid = line.trim().substring(8).trim();
                        System.out.println(counter(stock[0], uid, vpcd));
                        continue;
                    }
                    if (line.trim().equals("help")) {
                        System.out.println("ribbon N | feeder N | jam | clear | cover open|close | hopper full|empty | garbage [N] | silence [N] | heat [N]");
                        continue;
                    }
                    System.out.println(line.trim() + ": " + printer.console(line) + "  (printed " + printer.printed() + ", rejected "
                            + printer.rejected() + ", ribbon " + printer.ribbon() + ")");
                }
            } catch (java.io.IOException e) {
                // console closed
            }
        }, "printer-sim-console");
        console.setDaemon(true);
        console.start();
        stop.await();
        return ExitCodes.OK;
    }

    private ktp.sim.card.VpcdClient atCounter;

    private synchronized String counter(ktp.sim.card.VpcdBlankStock stock, String uid, String vpcd) {
        try {
            if (atCounter != null) atCounter.close();
            atCounter = null;
            if (uid.equals("off")) return "counter: the card is taken out";
            for (ktp.sim.card.VirtualCard c : stock.issued()) {
                if (java.util.HexFormat.of().formatHex(c.uid()).equalsIgnoreCase(uid)) {
                    InetSocketAddress v = CentralCommand.parseListen(vpcd.startsWith("tcp://") ? vpcd.substring(6) : vpcd);
                    atCounter = ktp.sim.card.VpcdClient.connect(v.getHostString(), v.getPort(), c);
                    return "counter: card " + uid + " is in the reader";
                }
            }
            return "counter: no printed card with chip UID " + uid;
        } catch (java.io.IOException e) {
            return "counter: " + e.getMessage();
        }
    }
}

package ktp.sim.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ktp.biometric.ScannerProfile;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.datafile.DataFileException;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.scanner.SimulatedScanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "scanner", mixinStandardHelpOptions = true,
        description = {"Run a simulated R30x-family fingerprint module on a TCP port or a serial device (a pty from socat),",
                "serving real fingerprint images from a folder (default: the embedded FVC2002 DB1_B subset).",
                "Type on its console which finger is on the glass, and faults:",
                "  place FINGER IMPRESSION (for example: place 101 2) | lift | wet | dry | silent | badsum | ok | list"})
final class ScannerSimCommand implements Callable<Integer> {
    @Option(names = "--profile", defaultValue = "r307", description = "scanner profile (default ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--listen", paramLabel = "tcp://HOST:PORT", description = "TCP address (for example tcp://127.0.0.1:9200; port 0: a free one)")
    String listen;

    @Option(names = "--serial", paramLabel = "DEVICE", description = "serial device or pty")
    String serial;

    @Option(names = "--images", paramLabel = "DIR", description = "folder of FINGER_IMPRESSION images (default: the embedded subset)")
    Path images;

    @Option(names = "--dpi", defaultValue = "500", description = "resolution of --images (default ${DEFAULT-VALUE})")
    double dpi;

    @Override
    public Integer call() throws Exception {
        if ((listen == null) == (serial == null)) throw new BadInputException("give one of --listen tcp://HOST:PORT or --serial DEVICE");
        ScannerProfile p;
        try {
            p = ScannerProfile.resolve(ktp.cli.Paths.home().resolve("firmware-profiles/scanners"), profile);
        } catch (DataFileException e) {
            throw new BadInputException(e.getMessage());
        }
        if (!p.protocol().equals("r30x")) throw new BadInputException("profile " + p.id() + " is not an R30x module");
        FingerprintLibrary lib;
        try {
            lib = images == null ? FingerprintLibrary.embedded() : FingerprintLibrary.directory(images, dpi);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new BadInputException("--images: " + e.getMessage());
        }
        java.net.InetSocketAddress address = null;
        SimulatedScanner sim = listen != null
                ? new SimulatedScanner(p.width(), p.height(), address = CentralCommand.tcpListen(listen))
                : new SimulatedScanner(p.width(), p.height(), serial, p.baud());
        System.out.println("scanner " + p.id() + " (" + p.width() + " x " + p.height() + " at 4 bits) "
                + (listen != null ? "on tcp://" + address.getHostString() + ":" + sim.port() : "on " + serial)
                + "; images from " + lib.source() + "; fingers " + lib.fingers() + "; no finger on the glass yet");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split("\\s+");
                try {
                    switch (w[0]) {
                        case "place" -> sim.place(lib.image(w[1], Integer.parseInt(w[2])));
                        case "lift" -> sim.lift();
                        case "wet" -> sim.fault(SimulatedScanner.Fault.WET);
                        case "dry" -> sim.fault(SimulatedScanner.Fault.DRY);
                        case "silent" -> sim.fault(SimulatedScanner.Fault.SILENT);
                        case "badsum" -> sim.fault(SimulatedScanner.Fault.BAD_CHECKSUM);
                        case "ok" -> sim.fault(SimulatedScanner.Fault.NONE);
                        case "list" -> lib.fingers().forEach(f -> System.out.println(f + " " + lib.impressions(f)));
                        case "" -> { continue; }
                        default -> { System.out.println("unknown: " + line); continue; }
                    }
                    System.out.println("ok: " + line.trim());
                } catch (RuntimeException | java.io.IOException e) {
                    System.out.println("cannot: " + e.getMessage());
                }
            }
        }
        // Standard input closed: keep serving until stopped.
        Thread.currentThread().join();
        return ExitCodes.OK;
    }
}

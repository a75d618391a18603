package ktp.sim.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.demo.DemoRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the station daemon against every simulator on its real wire and drive N records through it:",
                "the data center (HTTP) leases signed records; the daemon validates them, encodes each chip (a virtual card",
                "in the blank, SCP03 at level 33) and prints it on the printer simulator (Evolis commands over TCP); then each",
                "holder comes to the counter, the chip is checked, the finger (R307 simulator) matched and the card activated.",
                "Events go over MQTT (an embedded broker, or --broker) to the central office's collector and the data center.",
                "Leaves in DIR: cards/ (each card's panels as the printer decoded them from the wire), telemetry.jsonl (the",
                "events as the office stored them), daily-report-DATE.pdf, summary.json, station.yaml (the configuration",
                "used), central/ and office/ (the data center's and the office's state) and station/ (the store:",
                "ktp report daily --store DIR/station, ktp audit verify --store DIR/station)."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--cards", paramLabel = "N", defaultValue = "10", description = "records to print and issue (default ${DEFAULT-VALUE})")
    int cards;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-out", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "seed for the synthetic residents (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--faults", description = "inject faults: a defective record after every 10, a failing chip on every 7th blank, a jam at the 4th card, an impostor at every 8th holder, a chip altered after printing at every 16th holder from the 4th")
    boolean faults;

    @Option(names = "--broker", paramLabel = "URL", description = "send telemetry through this MQTT broker (tcp://HOST:PORT, e.g. a Mosquitto) instead of the embedded one")
    String broker;

    @Option(names = "--pcsc", paramLabel = "HOST:PORT", arity = "0..1", fallbackValue = "127.0.0.1:35963",
            description = "put the virtual cards into pcscd's vpcd driver (default ${FALLBACK-VALUE}) and read them through the real PC/SC stack, instead of an in-process reader")
    String pcsc;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "50", description = "printer simulator speed-up over real timings (1..1000, default ${DEFAULT-VALUE})")
    double speed;

    @Override
    public Integer call() throws Exception {
        if (cards < 1 || cards > 10_000) throw new BadInputException("--cards must be 1..10000, got " + cards);
        logTo(out.resolve("station.log"));
        DemoRun.Summary s;
        try {
            s = new DemoRun(new DemoRun.Options(cards, out, seed, faults, broker, pcsc, speed), System.out).run();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        System.out.println(s.line(out));
        return ExitCodes.OK;
    }

    /**
     * The station's log (INFO, one line per job change, as {@code ktp station run} writes it) goes to a file in
     * DIR: the progress lines on the screen already tell each change, warnings included, once.
     */
    private static void logTo(Path file) throws java.io.IOException {
        ktp.datafile.PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
        // the log names records and NIKs: created 0600 before logback opens it (it appends, keeping the mode)
        if (!java.nio.file.Files.exists(file)) {
            java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ktp.datafile.PrivateFiles.FILE));
        }
        var context = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        var encoder = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{20} - %safeMsg%n");
        encoder.start();
        var appender = new ch.qos.logback.core.FileAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.setContext(context);
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        for (String name : new String[] {"ktp", "io.moquette", "org.apache.pdfbox"}) {
            ch.qos.logback.classic.Logger logger = context.getLogger(name);
            logger.setLevel(name.equals("ktp") ? ch.qos.logback.classic.Level.INFO : ch.qos.logback.classic.Level.WARN);
            logger.setAdditive(false);
            logger.addAppender(appender);
        }
    }
}

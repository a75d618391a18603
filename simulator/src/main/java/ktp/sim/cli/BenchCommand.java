package ktp.sim.cli;

import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.bench.StoreBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure this station's software on this machine (medians and p99; the machine may be shared and noisy).",
        subcommands = {BenchCommand.Store.class, BenchCommand.Central.class, BenchCommand.Render.class, BenchCommand.Printer.class, BenchCommand.Finger.class, BenchCommand.Card.class, BenchCommand.Telemetry.class, BenchCommand.Station.class})
final class BenchCommand extends ktp.cli.CommandGroup {
    @Command(name = "store", mixinStandardHelpOptions = true,
            description = {"Record validation throughput including the ECDSA signature check, and store commit latency",
                    "(each commit forced to the journal), as median and p99."})
    static final class Store implements Callable<Integer> {
        @Option(names = "--records", defaultValue = "50", description = "distinct signed records to validate in turn (default ${DEFAULT-VALUE})")
        int records;

        @Option(names = "--seconds", defaultValue = "5", description = "how long to time validation (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--commits", defaultValue = "3000", description = "store commits to time (default ${DEFAULT-VALUE})")
        int commits;

        @Option(names = "--json", description = "one JSON object instead of a table")
        boolean json;

        @Option(names = "--jobs", paramLabel = "N", description = {"instead: build a store of N issued jobs through the store's API (with progress), time every commit,",
                "then each history-independent operation warm and as a cold CLI command (a fresh JVM)"})
        Integer jobs;

        @Option(names = "--out", paramLabel = "DIR", description = "with --jobs: keep the store built here (an empty folder) for a look with the other commands")
        java.nio.file.Path out;

        @Option(names = "--build-in", paramLabel = "DIR", description = {"with --jobs: build the store in this folder (e.g. /dev/shm, a tmpfs: no fsync cost), then copy it",
                "to --out (or a temporary folder) on disk and measure every operation there; the commit times are then the tmpfs's"})
        java.nio.file.Path buildIn;

        @Option(names = "--station", paramLabel = "ID", defaultValue = ktp.sim.bench.StoreGrowthBench.DEFAULT_STATION,
                description = "with --jobs: the station the store built belongs to, as in station.yaml's station.id (default ${DEFAULT-VALUE})")
        String station;

        @Option(names = "--measure", paramLabel = "DIR", description = {"instead of --jobs: measure the store a bench kept in DIR (--out) without building it;",
                "a writer's open changes it (its commits, an earlier layout upgraded): give it a copy"})
        java.nio.file.Path measure;

        @Override
        public Integer call() throws Exception {
            if (measure != null && jobs != null) throw new BadInputException("--measure measures an existing store: no --jobs with it");
            if (jobs == null && !station.equals(ktp.sim.bench.StoreGrowthBench.DEFAULT_STATION)) throw new BadInputException("--station names the station of a store --jobs builds: use it with --jobs");
            if (measure != null) return growth();
            if (jobs != null) return growth();
            if (records < 1 || records > 5000) throw new BadInputException("--records must be 1..5000");
            if (seconds <= 0 || seconds > 600) throw new BadInputException("--seconds must be in (0, 600]");
            if (commits < 10 || commits > 1_000_000) throw new BadInputException("--commits must be 10..1000000");
            StoreBench.Result r = StoreBench.run(records, seconds, commits, System.err);
            if (json) {
                System.out.printf("{\"validationMedianMicros\":%.1f,\"validationP99Micros\":%.1f,\"validationsPerSecond\":%.0f,"
                                + "\"signatureVerifyMedianMicros\":%.1f,\"commitMedianMicros\":%.1f,\"commitP99Micros\":%.1f,"
                                + "\"jobCycleMedianMicros\":%.1f,\"commitsPerCycle\":%d,\"validationSamples\":%d,\"commitSamples\":%d}%n",
                        r.validation().medianMicros(), r.validation().p99Micros(), r.validation().perSecond(),
                        r.signatureOnly().medianMicros(), r.commit().medianMicros(), r.commit().p99Micros(),
                        r.jobCycle().medianMicros(), r.commitsPerCycle(), r.validation().samples(), r.commit().samples());
            } else {
                System.out.printf("%-44s %10s %10s %12s%n", "measure", "median", "p99", "samples");
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "validate one record (envelope..fit)", r.validation().medianMicros(), r.validation().p99Micros(), r.validation().samples());
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "  of which ECDSA P-256 signature verify", r.signatureOnly().medianMicros(), r.signatureOnly().p99Micros(), r.signatureOnly().samples());
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "store commit (one job change, journal forced)", r.commit().medianMicros(), r.commit().p99Micros(), r.commit().samples());
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "job lease-to-issue (" + r.commitsPerCycle() + " commits)", r.jobCycle().medianMicros(), r.jobCycle().p99Micros(), r.jobCycle().samples());
                System.out.printf("validation: %.0f records/s on one thread (median); store: %.0f commits/s (median)%n",
                        r.validation().perSecond(), r.commit().perSecond());
            }
            return ExitCodes.OK;
        }

        private Integer growth() throws Exception {
            ktp.sim.bench.StoreGrowthBench.Result r;
            if (measure != null) {
                if (!ktp.store.StationStore.existsIn(measure)) throw new BadInputException("--measure " + measure + ": no station store there");
                r = ktp.sim.bench.StoreGrowthBench.measureExisting(measure, System.err);
                System.out.printf("store of %d issued jobs measured in %s (not built: no commit figures while loading; %d MB on disk)%n",
                        r.jobs(), measure, r.storeBytes() >> 20);
            } else {
                if (jobs < 10 || jobs > 200_000) throw new BadInputException("--jobs must be 10..200000");
                if (buildIn != null && !java.nio.file.Files.isDirectory(buildIn)) throw new BadInputException("--build-in " + buildIn + ": no such folder");
                if (!station.matches("[A-Za-z0-9_-]{1,64}")) throw new BadInputException("--station '" + station + "' must be 1 to 64 letters, digits, '_' or '-' (a station id)");
                r = ktp.sim.bench.StoreGrowthBench.run(jobs, out, buildIn, station, System.err);
                System.out.printf("store of %d issued jobs (200 a day) of station %s built in %.0f s%s (%d MB on disk); %d commits while loading: median %.2f ms, p99 %.2f ms, p99.9 %.1f ms, max %.1f ms%n",
                    r.jobs(), station, r.buildSeconds(), buildIn == null ? "" : " in " + buildIn + ", copied to disk", r.storeBytes() >> 20, r.commits().samples(), r.commits().medianMicros() / 1e3,
                    r.commits().p99Micros() / 1e3, r.commitP999Micros() / 1e3, r.commitMaxMicros() / 1e3);
            }
            System.out.printf("%-52s %12s %12s %12s %6s%n", "operation", "median", "p99", "max", "runs");
            for (ktp.sim.bench.StoreGrowthBench.Op o : r.warm()) System.out.printf("%-52s %9.2f ms %9.2f ms %9.2f ms %6d%n", "warm: " + o.name(), o.medianMillis(), o.p99Millis(), o.maxMillis(), o.runs());
            for (ktp.sim.bench.StoreGrowthBench.Op o : r.cold()) System.out.printf("%-52s %9.0f ms %9.0f ms %9.0f ms %6d%n", "cold: " + o.name(), o.medianMillis(), o.p99Millis(), o.maxMillis(), o.runs());
            return ExitCodes.OK;
        }
    }

    @Command(name = "central", mixinStandardHelpOptions = true,
            description = {"The data center link on loopback: records one station takes per second (pull, validate, store,",
                    "acknowledge) over HTTP and over HTTPS with client certificates, and the simulated data center serving",
                    "many stations polling at once (requests per second, median and p99 latency)."})
    static final class Central implements Callable<Integer> {
        @Option(names = "--records", defaultValue = "1000", description = "records the one station takes (default ${DEFAULT-VALUE}, at most 1024)")
        int records;

        @Option(names = "--stations", defaultValue = "50", description = "polling stations (default ${DEFAULT-VALUE})")
        int stations;

        @Option(names = "--seconds", defaultValue = "10", description = "how long each polling run lasts (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--json", description = "one JSON object instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (records < 10 || records > 1024) throw new BadInputException("--records must be 10..1024 (the data center's envelope cache)");
            if (stations < 1 || stations > 500) throw new BadInputException("--stations must be 1..500");
            if (seconds <= 0 || seconds > 300) throw new BadInputException("--seconds must be in (0, 300]");
            ktp.sim.bench.CentralBench.Result r = ktp.sim.bench.CentralBench.run(records, stations, seconds, System.err);
            if (json) {
                StringBuilder sb = new StringBuilder("{\"intake\":[");
                for (var i : r.intake()) {
                    sb.append(String.format("{\"transport\":\"%s\",\"records\":%d,\"recordsPerSecond\":%.0f,\"pullOf10MedianMicros\":%.0f,"
                                    + "\"validateAndStoreMedianMicros\":%.0f,\"acknowledgeMedianMicros\":%.0f},", i.transport(), i.records(),
                            i.recordsPerSecond(), i.pullOf10().medianMicros(), i.validateAndStore().medianMicros(), i.acknowledge().medianMicros()));
                }
                sb.setLength(sb.length() - 1);
                sb.append("],\"polling\":[");
                for (var p : r.polling()) {
                    sb.append(String.format("{\"scenario\":\"%s\",\"stations\":%d,\"requests\":%d,\"errors\":%d,\"requestsPerSecond\":%.0f,"
                                    + "\"medianMicros\":%.0f,\"p99Micros\":%.0f},", p.scenario(), p.stations(), p.requests(), p.errors(),
                            p.requestsPerSecond(), p.latency().medianMicros(), p.latency().p99Micros()));
                }
                sb.setLength(sb.length() - 1);
                System.out.println(sb.append("]}"));
            } else {
                System.out.printf("%-30s %8s %10s %14s %16s %12s%n", "one station taking records", "records", "records/s", "pull of 10", "validate+store", "acknowledge");
                for (var i : r.intake()) {
                    System.out.printf("%-30s %8d %10.0f %11.1f ms %13.2f ms %9.2f ms%n", i.transport(), i.records(), i.recordsPerSecond(),
                            i.pullOf10().medianMicros() / 1000, i.validateAndStore().medianMicros() / 1000, i.acknowledge().medianMicros() / 1000);
                }
                System.out.printf("%n%-46s %8s %9s %7s %10s %10s%n", "stations polling at once", "stations", "requests", "errors", "median", "p99");
                for (var p : r.polling()) {
                    System.out.printf("%-46s %8d %9d %7d %7.2f ms %7.2f ms   %.0f requests/s%n", p.scenario(), p.stations(), p.requests(), p.errors(),
                            p.latency().medianMicros() / 1000, p.latency().p99Micros() / 1000, p.requestsPerSecond());
                }
                System.out.println("(medians of the parts; records/s is the whole loop on one thread)");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = {"Render, rasterise and separate one card (both sides: PDFs, then the printer's panels) for a printer",
                    "profile; median and p99 over distinct synthetic records."})
    static final class Render implements Callable<Integer> {
        @Option(names = "--cards", defaultValue = "100", description = "cards to time (default ${DEFAULT-VALUE})")
        int cards;

        @Option(names = "--profile", defaultValue = "evolis-primacy-dual-ymcko", description = "printer profile (default ${DEFAULT-VALUE})")
        String profile;

        @Option(names = "--json", description = "one JSON object instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (cards < 10 || cards > 10_000) throw new BadInputException("--cards must be 10..10000");
            ktp.printer.PrinterProfile p = printerProfile(profile);
            ktp.render.CardRenderer renderer = cardRenderer();
            var r = ktp.sim.bench.RenderBench.run(renderer, p, cards, System.err);
            if (json) {
                System.out.printf("{\"cards\":%d,\"profile\":\"%s\",\"totalMedianMillis\":%.1f,\"totalP99Millis\":%.1f,\"pdfsMedianMillis\":%.1f,"
                                + "\"frontPanelsMedianMillis\":%.1f,\"backPanelsMedianMillis\":%.1f}%n", r.cards(), p.id(), r.total().medianMicros() / 1000,
                        r.total().p99Micros() / 1000, r.pdfs().medianMicros() / 1000, r.frontPanels().medianMicros() / 1000, r.backPanels().medianMicros() / 1000);
            } else {
                System.out.printf("%-52s %10s %10s%n", "one card, " + p.id(), "median", "p99");
                System.out.printf("%-52s %7.1f ms %7.1f ms%n", "render, rasterise and separate (both sides)", r.total().medianMicros() / 1000, r.total().p99Micros() / 1000);
                System.out.printf("%-52s %7.1f ms %7.1f ms%n", "  of which: both sides to PDF (layout, fonts, QR)", r.pdfs().medianMicros() / 1000, r.pdfs().p99Micros() / 1000);
                System.out.printf("%-52s %7.1f ms %7.1f ms%n", "  front: rasterise and separate into panels", r.frontPanels().medianMicros() / 1000, r.frontPanels().p99Micros() / 1000);
                System.out.printf("%-52s %7.1f ms %7.1f ms%n", "  back: rasterise and separate into panels", r.backPanels().medianMicros() / 1000, r.backPanels().p99Micros() / 1000);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "printer", mixinStandardHelpOptions = true,
            description = {"The printer link: bytes on the wire per card with and without compression, the time to send a card over",
                    "a serial pty at 115200 baud (socat), and the printer's idle gap between cards with real timings while the",
                    "station prepares the next card. Needs socat. With real timings it runs about half a minute per card."})
    static final class Printer implements Callable<Integer> {
        @Option(names = "--cards", defaultValue = "4", description = "cards printed with real timings (default ${DEFAULT-VALUE})")
        int cards;

        @Option(names = "--profile", defaultValue = "evolis-primacy-dual-ymcko", description = "printer profile (default ${DEFAULT-VALUE})")
        String profile;

        @Option(names = "--speed", defaultValue = "1", description = "timing factor for the idle-gap run: 1 = real (default ${DEFAULT-VALUE})")
        double speed;

        @Override
        public Integer call() throws Exception {
            if (cards < 2 || cards > 100) throw new BadInputException("--cards must be 2..100 (the gap is between cards)");
            if (!(speed > 0 && speed <= 1e6)) throw new BadInputException("--speed must be in (0, 1000000]");
            ktp.printer.PrinterProfile p = printerProfile(profile);
            ktp.render.CardRenderer renderer = cardRenderer();
            var r = ktp.sim.bench.PrinterBench.run(renderer, p, cards, speed, System.err);
            System.out.printf("bytes on the wire per card (median): %.0f compressed (Dbc), %.0f plain (Db): %.1fx less%n",
                    r.bytesCompressed(), r.bytesPlain(), r.bytesPlain() / r.bytesCompressed());
            System.out.printf("at 115200 baud (10 bits a byte) that is %.1f s compressed, %.1f s plain%n", r.lineSecondsCompressed(), r.lineSecondsPlain());
            System.out.printf("one card sent over a socat pty (pty does not throttle to the baud rate), median %.0f ms, p99 %.0f ms (%d cards)%n",
                    r.ptyTransfer().medianMicros() / 1000, r.ptyTransfer().p99Micros() / 1000, r.ptyTransfer().samples());
            java.util.List<Long> gaps = new java.util.ArrayList<>(r.idleGapsMillis());
            java.util.Collections.sort(gaps);
            System.out.printf("printer idle gap between cards (timings x%s): %s ms, median %d ms; %.1f s per card%n", speed, gaps,
                    gaps.isEmpty() ? -1 : gaps.get(gaps.size() / 2), r.secondsPerCard());
            return ExitCodes.OK;
        }
    }

    @Command(name = "finger", mixinStandardHelpOptions = true,
            description = {"Capture to decision through the simulated R30x module over TCP (image at 4 bits a pixel, extraction,",
                    "1:1 match), and the extraction alone; medians over the embedded FVC2002 images."})
    static final class Finger implements Callable<Integer> {
        @Option(names = "--rounds", defaultValue = "6", description = "passes over the images, the first to warm up (default ${DEFAULT-VALUE})")
        int rounds;

        @Override
        public Integer call() throws Exception {
            if (rounds < 2 || rounds > 100) throw new BadInputException("--rounds must be 2..100");
            var r = ktp.sim.bench.FingerBench.run(ktp.sim.records.FingerprintLibrary.embedded(), rounds);
            System.out.printf("capture to decision (module image over TCP, extract, match): median %.1f ms, p99 %.1f ms (%d captures)%n",
                    r.captureToDecision().medianMicros() / 1000, r.captureToDecision().p99Micros() / 1000, r.samples());
            System.out.printf("of which extraction alone: median %.1f ms; matching alone: median %.2f ms%n",
                    r.extractOnly().medianMicros() / 1000, r.matchOnly().medianMicros() / 1000);
            System.out.printf("genuine captures matched: %d of %d (the cropped 4-bit module image); refused as too poor: %d%n", r.matches(), r.attempts(), r.refused());
            return ExitCodes.OK;
        }
    }

    @Command(name = "card", mixinStandardHelpOptions = true,
            description = {"Personalize virtual cards through javax.smartcardio and the in-process reader (SCP03 level 33, write,",
                    "read back): APDUs and bytes per card, and the time per card (median, p99); with --vpcd N, also N cards through",
                    "pcscd and its vpcd driver (pcscd must be running, as ./ktp test runs it)."})
    static final class Card implements Callable<Integer> {
        @Option(names = "--cards", defaultValue = "50", description = "cards to time (default ${DEFAULT-VALUE})")
        int cards;

        @Option(names = "--vpcd", defaultValue = "0", description = "cards to time through pcscd and vpcd (default ${DEFAULT-VALUE})")
        int vpcd;

        @Override
        public Integer call() throws Exception {
            if (cards < 5 || cards > 5000) throw new BadInputException("--cards must be 5..5000");
            if (vpcd < 0 || vpcd > 500) throw new BadInputException("--vpcd must be 0..500");
            var r = ktp.sim.bench.CardBench.run(cards, vpcd);
            System.out.printf("per personalization: %d APDUs, %d bytes sent, %d bytes received%n", r.apdus(), r.bytesSent(), r.bytesReceived());
            System.out.printf("time per card in process: median %.1f ms, p99 %.1f ms (%d cards)%n", r.time().medianMicros() / 1000, r.time().p99Micros() / 1000, r.cards());
            if (r.throughVpcd() != null) {
                System.out.printf("time per card through pcscd and vpcd: median %.1f ms, p99 %.1f ms (%d cards)%n",
                        r.throughVpcd().medianMicros() / 1000, r.throughVpcd().p99Micros() / 1000, r.throughVpcd().samples());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "telemetry", mixinStandardHelpOptions = true,
            description = {"Telemetry throughput through a real MQTT broker: one station's outbox drained to a collector (events/s,",
                    "from the first publish until the last event is receipted and deleted), and one collector ingesting from",
                    "--stations simulated stations publishing at once (events/s). Without --broker, an embedded Moquette."})
    static final class Telemetry implements Callable<Integer> {
        @Option(names = "--broker", paramLabel = "URL", description = "tcp://HOST:PORT (e.g. the Mosquitto ./ktp test starts on 127.0.0.1:18830)") String broker;
        @Option(names = "--events", defaultValue = "5000", description = "events in the outbox (default ${DEFAULT-VALUE})") int events;
        @Option(names = "--stations", defaultValue = "100", description = "simulated stations for the ingest run (default ${DEFAULT-VALUE})") int stations;
        @Option(names = "--per-station", defaultValue = "200", description = "events each simulated station publishes (default ${DEFAULT-VALUE})") int perStation;
        @Option(names = "--runs", defaultValue = "3", description = "runs of each (default ${DEFAULT-VALUE})") int runs;
        @Option(names = "--no-burst", description = "skip the burst of --stations real stations started at once") boolean noBurst;
        @Option(names = "--shipped-config", description = {"start a Mosquitto of its own on a free loopback port with the shipped configuration",
                "(`ktp broker setup` for exactly the bench's stations and collectors: passwords, ACL, limits) and log every client in"}) boolean shipped;

        @Override
        public Integer call() throws Exception {
            if (events < 100 || events > 200_000) throw new BadInputException("--events must be 100..200000");
            if (stations < 1 || stations > 1000 || perStation < 1 || perStation > 10_000) throw new BadInputException("--stations 1..1000, --per-station 1..10000");
            if (runs < 1 || runs > 10) throw new BadInputException("--runs must be 1..10");
            if (shipped && broker != null) throw new BadInputException("--shipped-config starts its own Mosquitto: give it or --broker, not both");
            java.nio.file.Path work = java.nio.file.Files.createTempDirectory("ktp-bench-telemetry");
            String tag = ktp.sim.bench.TelemetryBench.newTag();
            ktp.sim.bench.ShippedMosquitto own = null;
            ktp.sim.broker.EmbeddedBroker embedded = null;
            try {
                String url;
                ktp.sim.bench.TelemetryBench.Login login;
                if (shipped) {
                    var names = ktp.sim.bench.TelemetryBench.names(tag, runs, stations);
                    own = ktp.sim.bench.ShippedMosquitto.start(work.resolve("broker"), names.get(0), names.get(1));
                    url = own.url();
                    login = own::login;
                    System.out.println("broker " + url + " (mosquitto with the shipped configuration for " + names.get(0).size() + " stations and "
                            + names.get(1).size() + " collectors: " + own.setup() + ")");
                } else {
                    embedded = broker == null ? ktp.sim.broker.EmbeddedBroker.start("127.0.0.1", 0, null) : null;
                    url = embedded != null ? embedded.url() : broker;
                    String u = url;
                    System.out.println("broker " + url + (embedded != null ? " (embedded Moquette 0.17)" : ""));
                    // Anonymous clients: a broker with only a listener configured (Mosquitto's defaults) or the embedded one.
                    login = who -> ktp.telemetry.BrokerSettings.plain(u);
                }
                var r = ktp.sim.bench.TelemetryBench.run(url, login, tag, events, stations, perStation, runs, !noBurst, work);
                System.out.printf("signing at the station: %.1f us per event in a batch of %d, %.1f us for a lone event%n", r.signMicrosPerEventBatched(),
                        ktp.telemetry.TelemetryCodec.MAX_BATCH, r.signMicrosLoneEvent());
                System.out.printf("verifying, one thread, in process: %.0f events/s (batches opened, verified, parsed)%n", r.verifyEventsPerSecondOneThread());
                System.out.printf("outbox drain, %d events: %s events/s, median %.0f, lowest %.0f%n", r.events(), list(r.drainPerSecond()), median(r.drainPerSecond()),
                        java.util.Collections.min(r.drainPerSecond()));
                System.out.printf("collector ingest (verified), %d stations x %d events: %s events/s, median %.0f%n", r.stations(), r.perStation(), list(r.ingestPerSecond()), median(r.ingestPerSecond()));
                if (!r.burstSeconds().isEmpty()) {
                    System.out.printf("burst, %d real stations x %d events at once, every outbox empty and every event stored once: %s s, median %.1f%n",
                            r.stations(), r.perStation(), String.join(", ", r.burstSeconds().stream().map(d -> String.format("%.1f", d)).toList()), median(r.burstSeconds()));
                }
            } finally {
                if (embedded != null) embedded.close();
                if (own != null) own.close();
                ktp.sim.bench.TelemetryBench.clean(work);
            }
            return ExitCodes.OK;
        }

        private static String list(java.util.List<Double> v) {
            return String.join(", ", v.stream().map(d -> String.format("%.0f", d)).toList());
        }

        private static double median(java.util.List<Double> v) {
            java.util.List<Double> s = new java.util.ArrayList<>(v);
            java.util.Collections.sort(s);
            return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        }
    }

    @Command(name = "station", mixinStandardHelpOptions = true,
            description = {"The whole station through its daemon against the simulators on their wires (data center over HTTP,",
                    "printer over TCP, virtual card, MQTT): the software's cost per card with zero-latency devices (median and",
                    "p99 between cards coming out, and cards per second), then the printer's idle gap between cards at its",
                    "real timings (about 25 s a card, so --real-cards 4 takes about two minutes)."})
    static final class Station implements Callable<Integer> {
        @Option(names = "--cards", defaultValue = "40", description = "cards with zero-latency devices (default ${DEFAULT-VALUE}; the first 3 warm up)") int cards;
        @Option(names = "--real-cards", defaultValue = "4", description = "cards at real timings (default ${DEFAULT-VALUE}; 0 skips)") int realCards;
        @Option(names = "--real-speed", defaultValue = "1", description = "speed-up for the real-timing run (default ${DEFAULT-VALUE}: real)") double realSpeed;
        @Option(names = "--json", description = "one JSON object instead of a table") boolean json;

        @Override
        public Integer call() throws Exception {
            if (cards < 6 || cards > 2000) throw new BadInputException("--cards must be 6..2000");
            if (realCards < 0 || realCards == 1 || realCards > 50) throw new BadInputException("--real-cards must be 0 or 2..50 (a gap needs two cards)");
            if (realSpeed < 1 || realSpeed > 1000) throw new BadInputException("--real-speed must be 1..1000");
            var r = ktp.sim.bench.StationBench.run(cards, realCards, realSpeed, System.err);
            java.util.List<Long> gaps = r.realGapsMillis().stream().sorted().toList();
            long realMedian = gaps.isEmpty() ? -1 : gaps.get(gaps.size() / 2);
            if (json) {
                System.out.printf("{\"cards\":%d,\"perCardMedianMillis\":%.1f,\"perCardP99Millis\":%.1f,\"cardsPerSecond\":%.2f,"
                                + "\"idleGapZeroLatencyMedianMillis\":%.1f,\"realCards\":%d,\"realSpeed\":%.0f,\"realIdleGapsMillis\":%s,"
                                + "\"realIdleGapMedianMillis\":%d,\"realSecondsPerCard\":%.1f,\"stationCpuPerCardMedianMillis\":%.1f,\"stationCpuPerCardP99Millis\":%.1f}%n",
                        r.cards(), r.perCard().medianMicros() / 1000, r.perCard().p99Micros() / 1000, r.cardsPerSecond(),
                        r.idleGapZeroLatency() == null ? -1 : r.idleGapZeroLatency().medianMicros() / 1000, r.realCards(), r.realSpeed(), r.realGapsMillis(),
                        realMedian, r.realSecondsPerCard(), r.stationCpuPerCard().medianMicros() / 1000, r.stationCpuPerCard().p99Micros() / 1000);
            } else {
                System.out.printf("%-58s %9s %9s %8s%n", "through the daemon", "median", "p99", "samples");
                System.out.printf("%-58s %6.1f ms %6.1f ms %8d%n", "software per card, zero-latency devices (card out to card out)",
                        r.perCard().medianMicros() / 1000, r.perCard().p99Micros() / 1000, r.perCard().samples());
                System.out.printf("%-58s %6.1f ms %6.1f ms %8d%n", "  station CPU per card (its own threads only)",
                        r.stationCpuPerCard().medianMicros() / 1000, r.stationCpuPerCard().p99Micros() / 1000, r.stationCpuPerCard().samples());
                if (r.idleGapZeroLatency() != null) System.out.printf("%-58s %6.1f ms %6.1f ms %8d%n", "  printer idle between cards, zero-latency devices",
                        r.idleGapZeroLatency().medianMicros() / 1000, r.idleGapZeroLatency().p99Micros() / 1000, r.idleGapZeroLatency().samples());
                System.out.printf("cards per second on this machine: %.2f (median)%n", r.cardsPerSecond());
                if (!gaps.isEmpty()) System.out.printf("printer idle gap between cards at real timings%s: median %d ms (gaps %s ms; %.1f s a card)%n",
                        r.realSpeed() == 1 ? "" : " sped up " + r.realSpeed() + "x", realMedian, r.realGapsMillis(), r.realSecondsPerCard());
            }
            return ExitCodes.OK;
        }
    }

    static ktp.printer.PrinterProfile printerProfile(String idOrFile) {
        try {
            return ktp.printer.PrinterProfile.resolve(ktp.cli.Paths.printerProfiles(), idOrFile);
        } catch (ktp.datafile.DataFileException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    static ktp.render.CardRenderer cardRenderer() throws java.io.IOException {
        try {
            return new ktp.render.CardRenderer(ktp.render.CardTemplate.load(ktp.cli.Paths.templates().resolve("ktpel.yaml")));
        } catch (ktp.datafile.DataFileException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}

package ktp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import ktp.collector.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "central", mixinStandardHelpOptions = true,
        description = "The central office's side of the telemetry contract (docs/telemetry.md).",
        subcommands = CentralOfficeCommand.Collect.class)
final class CentralOfficeCommand extends CommandGroup {

    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = {"Collect every station's events through a shared subscription (several collectors split the load),",
                    "store each once in DATA/events.jsonl, send the stations receipts, and show a live summary: per station and",
                    "region, printed, issued and spoiled today, stations offline, blanks and ribbon low, refused messages.",
                    "Runs until interrupted (Ctrl-C)."})
    static final class Collect implements Callable<Integer> {
        @Mixin BrokerOptions broker;
        @Mixin OfficeKeyOptions keys;
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "where the events are stored") Path data;
        @Option(names = "--group", paramLabel = "NAME", defaultValue = "ktp-collectors", description = "shared-subscription group (default ${DEFAULT-VALUE})") String group;
        @Option(names = "--no-share", description = "subscribe directly, for a broker without shared subscriptions (Moquette 0.17)") boolean noShare;
        @Option(names = "--name", paramLabel = "NAME", description = "this collector's name, unique in the group (default: the host name)") String name;
        @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Jakarta", description = "the time zone that decides 'today' (default ${DEFAULT-VALUE})") String zone;
        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5", description = "how often to print the summary (default ${DEFAULT-VALUE})") int interval;
        @Option(names = "--json", description = "print the summary as one JSON object a line") boolean json;
        @Option(names = "--for", paramLabel = "SECONDS", description = "stop after this long (default: run until interrupted)") Integer duration;

        @Override
        public Integer call() throws Exception {
            if (interval < 1 || interval > 3600) throw new BadInputException("--interval must be 1 to 3600 seconds, got " + interval);
            ZoneId z;
            try {
                z = ZoneId.of(zone);
            } catch (java.time.DateTimeException e) {
                throw new BadInputException("--zone '" + zone + "' is not a time zone (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)");
            }
            String me = name != null ? name : java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
            if (!me.matches("[A-Za-z0-9_-]{1,64}")) throw new BadInputException("--name must be 1 to 64 letters, digits, '_' or '-'");
            Collector c;
            try {
                c = new Collector(broker.settings(), keys.signingKey(), keys.registry(), data, noShare ? null : group, me, z, Clock.systemUTC()).start();
            } catch (IOException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    c.close();
                } catch (IOException ignored) {
                    // stopping anyway
                }
            }));
            System.err.println("collecting from " + broker.url + (noShare ? " (no shared subscription)" : " in group " + group) + " as " + me + " into " + data);
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration * 1_000_000_000L;
            do {
                print(c.summary(), json);
            } while (!stop.await(interval, TimeUnit.SECONDS) && System.nanoTime() < end);
            if (duration != null) c.close();
            return ExitCodes.OK;
        }

        static void print(JsonNode s, boolean json) {
            if (json) {
                System.out.println(s.toString());
                return;
            }
            StringBuilder out = new StringBuilder();
            JsonNode refused = s.get("refused");
            long refusedTotal = 0;
            for (Iterator<JsonNode> i = refused.elements(); i.hasNext(); ) refusedTotal += i.next().asLong();
            out.append(String.format("%s  day %s  events %d  duplicates dropped %d  refused %d  stations offline %d%n",
                    LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), s.get("day").asText(), s.get("accepted").asLong(),
                    s.get("duplicates").asLong(), refusedTotal, s.get("stationsOffline").asLong()));
            out.append(String.format("  %-20s %-8s %8s %7s %8s %8s %7s %7s %7s%n", "STATION", "STATE", "PRINTED", "ISSUED", "SPOILED", "MISSING", "OUTBOX", "BLANKS", "RIBBON"));
            for (Iterator<Map.Entry<String, JsonNode>> i = s.get("stations").fields(); i.hasNext(); ) {
                Map.Entry<String, JsonNode> e = i.next();
                JsonNode st = e.getValue();
                JsonNode h = st.path("health");
                out.append(String.format("  %-20s %-8s %8d %7d %8d %8d %7s %7s %7s%n", e.getKey(), st.get("state").asText(), st.get("printedToday").asLong(),
                        st.get("issuedToday").asLong(), st.get("spoiledToday").asLong(), st.get("missing").asLong(),
                        h.has("outboxDepth") ? h.get("outboxDepth").asText() : "-", h.has("blanksInFeeder") ? h.get("blanksInFeeder").asText() : "-",
                        h.has("ribbonRemaining") ? h.get("ribbonRemaining").asText() : "-"));
            }
            if (s.get("regions").size() > 0) {
                out.append(String.format("  %-8s %8s %7s %8s%n", "REGION", "PRINTED", "ISSUED", "SPOILED"));
                for (Iterator<Map.Entry<String, JsonNode>> i = s.get("regions").fields(); i.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = i.next();
                    out.append(String.format("  %-8s %8d %7d %8d%n", e.getKey(), e.getValue().get("printedToday").asLong(), e.getValue().get("issuedToday").asLong(),
                            e.getValue().get("spoiledToday").asLong()));
                }
            }
            if (s.get("blanksLow").size() > 0) out.append("  blanks low: ").append(s.get("blanksLow")).append('\n');
            if (s.get("ribbonLow").size() > 0) out.append("  ribbon low: ").append(s.get("ribbonLow")).append('\n');
            if (refusedTotal > 0) out.append("  refused: ").append(refused).append('\n');
            System.out.print(out);
            System.out.flush();
        }
    }
}

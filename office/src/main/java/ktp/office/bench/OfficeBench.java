package ktp.office.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ktp bench office}: filled in below (ingest, start-up, day queries). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the office: ingest, collector start-up, day queries (docs/office.md).")
public final class OfficeBench implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("not yet");
        return 1;
    }
}

package ktp.sim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.Defect;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Simulators for technicians: synthetic records, the national data center, the card printer, the fingerprint scanner, the chip card, the MQTT broker.",
        subcommands = {SimCommand.Records.class, CentralCommand.class, PrinterSimCommand.class, ScannerSimCommand.class, CardSimCommand.class, BrokerSimCommand.class})
final class SimCommand extends ktp.cli.CommandGroup {
    @Command(name = "records", mixinStandardHelpOptions = true,
            description = {"Write signed PRINT_READY records of synthetic residents, the data center's public key, and",
                    "residents.json (which real finger each chip template came from, for the scanner simulator).",
                    "Deterministic: the same seed, fingerprint folder and issue date give the same bytes.",
                    "Layout: DIR/records/*.json, DIR/trusted-keys/KEYID.pem, DIR/residents.json; with --faulty K, also K records",
                    "of each defect kind in DIR/faulty/ and the reason each must get in DIR/faulty-expected.json."})
    static final class Records implements Callable<Integer> {
        @Option(names = "--count", paramLabel = "N", defaultValue = "10", description = "valid records to write (default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed for residents and the data center key (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "output folder (created if missing)")
        Path out;

        @Option(names = "--faulty", paramLabel = "K", defaultValue = "0", description = "faulty records of each defect kind (default ${DEFAULT-VALUE})")
        int faulty;

        @Option(names = "--fingerprints", paramLabel = "DIR",
                description = "folder of FINGER_IMPRESSION.tif/png images (default: the embedded FVC2002 DB1_B subset)")
        Path fingerprints;

        @Option(names = "--dpi", defaultValue = "500", description = "resolution of the --fingerprints images (default ${DEFAULT-VALUE})")
        double dpi;

        @Option(names = "--issued", paramLabel = "YYYY-MM-DD", description = "issue date on the cards (default: a fixed date derived from the seed)")
        LocalDate issued;

        @Override
        public Integer call() throws IOException {
            if (count < 0 || count > RecordGenerator.MAX_RESIDENTS) throw new BadInputException("--count must be 0.." + RecordGenerator.MAX_RESIDENTS + " (NIK serials have four digits), got " + count);
            if (faulty < 0 || faulty > 1000) throw new BadInputException("--faulty must be 0..1000, got " + faulty);
            if (count + faulty * Defect.values().length > RecordGenerator.MAX_RESIDENTS) {
                throw new BadInputException("--count plus --faulty x " + Defect.values().length + " defect kinds must stay within "
                        + RecordGenerator.MAX_RESIDENTS + " residents (NIK serials have four digits)");
            }
            if (dpi < 100 || dpi > 2000) throw new BadInputException("--dpi must be 100..2000, got " + dpi);
            LocalDate issueDate = issued == null ? RecordGenerator.defaultIssueDate(seed) : issued;
            FingerprintLibrary library;
            try {
                library = fingerprints == null ? FingerprintLibrary.embedded() : FingerprintLibrary.directory(fingerprints, dpi);
            } catch (IOException | IllegalArgumentException e) {
                throw new BadInputException("--fingerprints: " + e.getMessage());
            }
            Path recordsDir = ktp.datafile.PrivateFiles.createDirectories(out.resolve("records"));
            DataCenterKey key = DataCenterKey.fromSeed(seed);
            Path keyFile = key.writePublicKey(out.resolve("trusted-keys"));
            RecordGenerator generator = new RecordGenerator(seed, library, issueDate);
            ObjectMapper json = new ObjectMapper();
            ArrayNode residents = json.createArrayNode();
            for (int i = 0; i < count; i++) {
                RecordGenerator.Resident resident = generator.next();
                PrintRecord r = resident.record();
                ktp.datafile.PrivateFiles.write(recordsDir.resolve(r.recordId() + ".json"), key.signRecord(r).toJson()); // biometrics: owner only
                ObjectNode n = residents.addObject();
                n.put("recordId", r.recordId());
                n.put("nik", r.nik());
                n.put("nama", r.front().nama());
                ObjectNode fingersNode = n.putObject("fingers");
                fingersNode.put(String.valueOf(RecordGenerator.RIGHT_INDEX), resident.rightIndexFinger());
                fingersNode.put(String.valueOf(RecordGenerator.LEFT_INDEX), resident.leftIndexFinger());
                if ((i + 1) % 50 == 0) System.err.println("  " + (i + 1) + "/" + count + " records");
            }
            ObjectNode sidecar = json.createObjectNode();
            sidecar.put("seed", seed);
            sidecar.put("fingerprintSource", library.source());
            sidecar.put("dpi", library.dpi());
            sidecar.set("residents", residents);
            json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("residents.json").toFile(), sidecar);

            int faultyWritten = 0;
            if (faulty > 0) {
                Path faultyDir = ktp.datafile.PrivateFiles.createDirectories(out.resolve("faulty"));
                DataCenterKey stranger = DataCenterKey.fromSeed(seed ^ 0x5DEECE66DL);
                ObjectNode expected = json.createObjectNode();
                for (int k = 0; k < faulty; k++) {
                    for (Defect d : Defect.values()) {
                        PrintRecord base = generator.next().record();
                        String name = d.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-" + (k + 1) + ".json";
                        ktp.datafile.PrivateFiles.write(faultyDir.resolve(name), d.apply(base, key, stranger));
                        expected.put(name, d.expected().name());
                        faultyWritten++;
                    }
                }
                json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("faulty-expected.json").toFile(), expected);
            }
            System.out.println("wrote " + count + " signed records" + (faultyWritten > 0 ? " and " + faultyWritten + " faulty ones (faulty/)" : "")
                    + " to " + out + "; data center key " + key.keyId() + " in " + keyFile);
            System.out.println("check them with: ktp record check " + recordsDir + "/*.json --trust " + out.resolve("trusted-keys"));
            return ExitCodes.OK;
        }
    }
}

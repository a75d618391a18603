package ktp.station;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import ktp.job.EventType;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.StationStore;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.TelemetryCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The central office's commands as the station carries them out: pause, resume, and a reprint decided at the office. */
class OfficeCommandsTest {
    @TempDir
    Path dir;

    private static TelemetryCodec.Command command(String id, TelemetryCodec.CommandKind kind, String recordId, String reason) {
        return new TelemetryCodec.Command(id, "ST-OC", kind, recordId, reason, "budi", Instant.now());
    }

    private static final ktp.telemetry.Keyring.Signer PUSAT = new ktp.telemetry.Keyring.Signer("pusat-budi", "0123456789abcdef0123456789abcdef");

    @Test
    void aReprintAuthorisedAtTheOfficeSpoilsThePrintedCardAndRequeuesTheRecord() {
        try (StationStore store = StationStore.open(dir, "ST-OC", Clock.systemUTC())) {
            store.admit("R1", 1, "3171011606650007", new byte[] {1}, Actor.STATION);
            for (JobState s : new JobState[] {JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED, JobState.AWAITING_HOLDER}) {
                store.transition("R1", s, Actor.STATION, "", s == JobState.ENCODING ? "04AA000001" : null);
            }
            store.admit("R2", 1, "3171011606650008", new byte[] {1}, Actor.STATION);
            store.transition("R2", JobState.VALIDATED, Actor.STATION, "", null);
            OfficeCommands office = new OfficeCommands(store);

            CommandHandler.Answer noReason = office.handle(command("c0", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, "R1", null), PUSAT);
            assertFalse(noReason.accepted());
            assertEquals("a reprint needs a reason", noReason.detail());
            assertFalse(office.handle(command("c1", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, "R9", "lost"), PUSAT).accepted());
            CommandHandler.Answer notPrinted = office.handle(command("c2", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, "R2", "lost"), PUSAT);
            assertFalse(notPrinted.accepted());
            assertTrue(notPrinted.detail().contains("R2 is VALIDATED"), notPrinted.detail());

            CommandHandler.Answer ok = office.handle(command("c3", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, "R1", "card damaged in transit to the kelurahan"), PUSAT);
            assertTrue(ok.accepted(), ok.detail());
            assertTrue(ok.detail().contains("pending the station supervisor's confirmation"), ok.detail());
            assertEquals(JobState.AWAITING_HOLDER, store.job("R1").orElseThrow().state(), "no second blank before the station's supervisor confirms");
            assertNotEquals(BlankFate.SPOILED, store.ledger().stream().filter(l -> l.blankId().equals("04AA000001")).findFirst().orElseThrow().fate());
            assertFalse(OfficeCommands.confirmReprint(store, "R1", new Actor("ani", ktp.store.Role.OPERATOR)).accepted(), "an operator cannot confirm");
            assertFalse(OfficeCommands.confirmReprint(store, "R2", new Actor("sari", ktp.store.Role.SUPERVISOR)).accepted(), "nothing authorised for R2");
            CommandHandler.Answer confirmed = OfficeCommands.confirmReprint(store, "R1", new Actor("sari", ktp.store.Role.SUPERVISOR));
            assertTrue(confirmed.accepted(), confirmed.detail());
            assertFalse(OfficeCommands.confirmReprint(store, "R1", new Actor("sari", ktp.store.Role.SUPERVISOR)).accepted(), "one authorisation, one reprint");
            assertEquals(JobState.VALIDATED, store.job("R1").orElseThrow().state());
            assertEquals(BlankFate.SPOILED, store.ledger().stream().filter(l -> l.blankId().equals("04AA000001")).findFirst().orElseThrow().fate());
            assertTrue(store.pendingEvents(100).stream().anyMatch(e -> e.recordId().equals("R1") && e.type() == EventType.CARD_SPOILED));
            assertTrue(store.auditLog().stream().anyMatch(a -> a.actor().equals("supervisor:office:pusat-budi") && a.detail().contains("card damaged in transit")));
            assertTrue(store.auditLog().stream().anyMatch(a -> a.action().equals("REPRINT_CONFIRMED") && a.actor().equals("supervisor:sari")), "who confirmed, in the audit log");
            assertEquals(4, store.auditLog().stream().filter(a -> a.action().startsWith("OFFICE_")).count(), "every one of the 4 commands, carried out or refused, is audited");
            assertTrue(store.auditLog().stream().anyMatch(a -> a.detail().contains("signed by pusat-budi (key 01234567)") && a.detail().contains("issued by budi")),
                    "who signed it and who issued it");
            assertTrue(new OfficeCommands(store).alreadyCarriedOut("c3"), "after a restart, a command id in the audit log is not carried out again");
        }
    }

    @Test
    void pauseAndResumeSwitchTheFlagTheJobLoopReads() {
        try (StationStore store = StationStore.open(dir, "ST-OC", Clock.systemUTC())) {
            OfficeCommands office = new OfficeCommands(store);
            assertFalse(office.paused());
            assertEquals("paused: no new card will be started", office.handle(command("p1", TelemetryCodec.CommandKind.PAUSE, null, "audit"), PUSAT).detail());
            assertTrue(office.paused());
            assertEquals("already paused", office.handle(command("p2", TelemetryCodec.CommandKind.PAUSE, null, null), PUSAT).detail());
            assertEquals("resumed", office.handle(command("r1", TelemetryCodec.CommandKind.RESUME, null, null), PUSAT).detail());
            assertFalse(office.paused());
        }
    }
}

package ktp.store;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import ktp.job.JobState;

/**
 * A child process for the crash test: opens the store, recovers like the daemon does, then drives jobs through
 * every state (with spoiled blanks, failed activations and outbox draining) as fast as it can, printing
 * "READY n" once recovered and "C n" after each commit, where n is the number of committed audit entries. It never stops by itself before
 * its step limit; the test kills it with SIGKILL.
 */
public final class CrashWorker {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int maxSteps = Integer.parseInt(args[1]);
        String station = args.length > 2 ? args[2] : "CRASH-01";
        try (StationStore s = StationStore.open(dir, station, Clock.systemUTC())) {
            s.recover(Actor.STATION);
            System.out.println("READY " + s.auditSize());
            System.out.flush();
            for (int step = 0; step < maxSteps; step++) {
                advance(s, step);
                System.out.println("C " + s.auditSize());
                System.out.flush();
            }
        }
    }

    private static final List<JobState> IN_PROGRESS = List.of(JobState.LEASED, JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED,
            JobState.PRINTING, JobState.SPOILED, JobState.PRINTED, JobState.AWAITING_HOLDER, JobState.ACTIVATING);

    private static void advance(StationStore s, int step) {
        if (step % 17 == 16 && s.outboxDepth() > 0) {
            long last = s.pendingEvents(5).get(Math.min(4, (int) s.outboxDepth() - 1)).sequence();
            s.removePublished(last);
            return;
        }
        // The job in progress, from the state index (a scan of every job would make each step cost the whole
        // store over a kept 10,000-job base); there is at most one, as a job is admitted only when none is.
        Job job = null;
        for (JobState st : IN_PROGRESS) {
            List<Job> found = s.jobsIn(st, 1);
            if (!found.isEmpty()) {
                job = found.get(0);
                break;
            }
        }
        if (job == null) {
            int k = (int) s.jobCount() + 1;
            s.admit(String.format("R%05d", k), 1, String.format("327301450690%04d", k), ("envelope " + k).getBytes(), Actor.STATION);
            return;
        }
        int k = Integer.parseInt(job.recordId().substring(1));
        String id = job.recordId();
        switch (job.state()) {
            case LEASED -> s.transition(id, k % 11 == 0 ? JobState.REJECTED : JobState.VALIDATED, Actor.STATION, k % 11 == 0 ? "NIK_SEX_MISMATCH" : "", null);
            case VALIDATED -> s.transition(id, JobState.ENCODING, Actor.STATION, "", id + "-B" + (job.spoiledBlanks() + 1));
            case ENCODING -> s.transition(id, JobState.ENCODED, Actor.STATION, "", null);
            case ENCODED -> s.transition(id, JobState.PRINTING, Actor.STATION, "", null);
            case PRINTING -> {
                if (k % 5 == 0 && job.spoiledBlanks() == 0) s.transition(id, JobState.SPOILED, Actor.STATION, "jam", null);
                else s.transition(id, JobState.PRINTED, Actor.STATION, "", null);
            }
            case SPOILED -> s.transition(id, JobState.VALIDATED, Actor.STATION, "requeue", null);
            case PRINTED -> s.transition(id, JobState.AWAITING_HOLDER, Actor.STATION, "", null);
            case AWAITING_HOLDER -> s.transition(id, JobState.ACTIVATING, Actor.STATION, "", null);
            case ACTIVATING -> {
                if (k % 7 == 0) s.transition(id, JobState.ACTIVATION_FAILED, Actor.STATION, "no match", null);
                else s.transition(id, JobState.ISSUED, Actor.STATION, "", null);
            }
            default -> throw new IllegalStateException("unexpected " + job.state());
        }
    }
}

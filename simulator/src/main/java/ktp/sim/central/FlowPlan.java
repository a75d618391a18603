package ktp.sim.central;

import static ktp.lifecycle.NationalStatus.*;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import ktp.lifecycle.NationalStatus;
import ktp.lifecycle.StatusFlow;

/**
 * How simulated residents move through the national flow until PRINT_READY_RECORD: how long each status lasts
 * (in simulated time) and which way each branch goes. Failures happen at {@code failureRate}, split evenly
 * among the failure branches of a step; every retry path of the seed document is taken sometimes, so a
 * resident always reaches PRINT_READY_RECORD in the end. From PRINT_READY_RECORD on, stations move the record.
 * Pure: the caller supplies the random source.
 */
final class FlowPlan {
    /** The next status and how long, in simulated time, the current one lasts before it. */
    record Step(NationalStatus to, Duration after) {}

    private record Branch(NationalStatus to, double weight) {}

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

    private final Map<NationalStatus, Duration[]> delays = new EnumMap<>(NationalStatus.class);
    private final Map<NationalStatus, List<Branch>> branches = new EnumMap<>(NationalStatus.class);

    FlowPlan(double failureRate) {
        if (!(failureRate >= 0 && failureRate <= 0.9)) throw new IllegalArgumentException("failure rate must be 0..0.9, got " + failureRate);
        double f = failureRate / 3;
        // The seed document: sending takes "1 day to 20 days or more"; the rest are plausible office delays.
        delay(UNREGISTERED, DAY.multipliedBy(0), DAY.multipliedBy(30));
        delay(BIO_CAPTURED, Duration.ofMinutes(10), HOUR.multipliedBy(4));
        delay(PROCESSING, HOUR, HOUR.multipliedBy(12));
        delay(SENT_FOR_ENROLLMENT, DAY, DAY.multipliedBy(20));
        delay(RECEIVED_AT_CENTRAL, HOUR.multipliedBy(6), DAY.multipliedBy(3));
        delay(ENROLL_FAILURE_AT_CENTRAL, DAY.multipliedBy(2), DAY.multipliedBy(10));
        delay(SEARCH_FAILURE_AT_CENTRAL, DAY, DAY.multipliedBy(5));
        delay(ENROLL_FAILURE_AT_REGIONAL, DAY.multipliedBy(2), DAY.multipliedBy(10));
        delay(PACKET_ENTRY, HOUR.multipliedBy(6), DAY.multipliedBy(3));
        delay(SENT_FOR_DEDUP, DAY, DAY.multipliedBy(7));
        delay(DUPLICATE_RECORD, DAY.multipliedBy(3), DAY.multipliedBy(14));
        delay(ADJUDICATE_RECORD, DAY.multipliedBy(3), DAY.multipliedBy(14));
        delay(REQUEST_VALIDATION, DAY.multipliedBy(2), DAY.multipliedBy(10));
        delay(REQUEST_FOR_DELETION, DAY, DAY.multipliedBy(7));

        branch(UNREGISTERED, new Branch(BIO_CAPTURED, 1));
        branch(BIO_CAPTURED, new Branch(PROCESSING, 1));
        branch(PROCESSING, new Branch(SENT_FOR_ENROLLMENT, 1));
        branch(SENT_FOR_ENROLLMENT, new Branch(RECEIVED_AT_CENTRAL, 1));
        branch(RECEIVED_AT_CENTRAL, new Branch(SENT_FOR_DEDUP, 1 - 3 * f), new Branch(ENROLL_FAILURE_AT_CENTRAL, f),
                new Branch(SEARCH_FAILURE_AT_CENTRAL, f), new Branch(ENROLL_FAILURE_AT_REGIONAL, f));
        branch(ENROLL_FAILURE_AT_CENTRAL, new Branch(BIO_CAPTURED, 0.5), new Branch(PACKET_ENTRY, 0.5));
        branch(SEARCH_FAILURE_AT_CENTRAL, new Branch(PACKET_ENTRY, 1));
        branch(ENROLL_FAILURE_AT_REGIONAL, new Branch(BIO_CAPTURED, 0.5), new Branch(PACKET_ENTRY, 0.5));
        branch(PACKET_ENTRY, new Branch(SENT_FOR_DEDUP, 1));
        branch(SENT_FOR_DEDUP, new Branch(PRINT_READY_RECORD, 1 - 3 * f), new Branch(DUPLICATE_RECORD, f),
                new Branch(ADJUDICATE_RECORD, f), new Branch(REQUEST_VALIDATION, f));
        branch(DUPLICATE_RECORD, new Branch(REQUEST_FOR_DELETION, 1));
        branch(ADJUDICATE_RECORD, new Branch(PRINT_READY_RECORD, 0.7), new Branch(DUPLICATE_RECORD, 0.2), new Branch(REQUEST_FOR_DELETION, 0.1));
        branch(REQUEST_VALIDATION, new Branch(PRINT_READY_RECORD, 0.8), new Branch(REQUEST_FOR_DELETION, 0.2));
        branch(REQUEST_FOR_DELETION, new Branch(UNREGISTERED, 1));
    }

    private void delay(NationalStatus s, Duration min, Duration max) { delays.put(s, new Duration[] {min, max}); }

    private void branch(NationalStatus from, Branch... options) {
        for (Branch b : options) StatusFlow.require(from, b.to()); // a plan that leaves the national flow is a bug
        branches.put(from, List.of(options));
    }

    /** The step out of {@code from}, or empty when the data center waits for a station (PRINT_READY_RECORD on). */
    Optional<Step> next(NationalStatus from, Random random) {
        List<Branch> options = branches.get(from);
        if (options == null) return Optional.empty();
        Duration[] range = delays.get(from);
        long span = range[1].toMillis() - range[0].toMillis();
        Duration after = range[0].plusMillis(span == 0 ? 0 : (long) (random.nextDouble() * span));
        double pick = random.nextDouble();
        double total = options.stream().mapToDouble(Branch::weight).sum();
        double acc = 0;
        for (Branch b : options) {
            acc += b.weight() / total;
            if (pick < acc && b.weight() > 0) return Optional.of(new Step(b.to(), after));
        }
        return Optional.of(new Step(options.get(0).to(), after));
    }
}

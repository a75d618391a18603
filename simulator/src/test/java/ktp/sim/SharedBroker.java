package ktp.sim;

import ktp.telemetry.SharedBrokerLogins;

/**
 * The Mosquitto broker ./ktp test starts for the whole run (127.0.0.1:18830, or the ktp.mosquitto property),
 * with the shipped authenticated configuration: take station ids, collector names and logins from
 * {@link SharedBrokerLogins} (the station module's test helper).
 */
public final class SharedBroker {
    private SharedBroker() {}

    public static String url() { return SharedBrokerLogins.url(); }
}

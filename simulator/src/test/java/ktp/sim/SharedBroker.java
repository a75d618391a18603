package ktp.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The Mosquitto broker ./ktp test starts for the whole run (127.0.0.1:18830, or the ktp.mosquitto property). */
public final class SharedBroker {
    private SharedBroker() {}

    public static String url() {
        String hostPort = System.getProperty("ktp.mosquitto", "127.0.0.1:18830");
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
        } catch (IOException e) {
            fail("Mosquitto is not listening on " + hostPort + " (./ktp test installs and starts it): " + e.getMessage());
        }
        return "tcp://" + hostPort;
    }
}

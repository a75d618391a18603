package ktp.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.Socket;

/** The tests that go through the real PC/SC stack need pcscd with the vpcd driver; without it they fail, never skip. */
public final class Pcscd {
    public static final int VPCD_PORT = 35963;

    private Pcscd() {}

    public static void requireVpcd() {
        try (Socket probe = new Socket("127.0.0.1", VPCD_PORT)) {
            probe.getInputStream();
        } catch (IOException e) {
            fail("pcscd with the vpcd driver is not listening on 127.0.0.1:" + VPCD_PORT + " (./ktp test starts it): " + e.getMessage());
        }
    }
}

package ktp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import ktp.biometric.r30x.R30xScanner;
import ktp.central.CentralClient;
import ktp.central.CentralException;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterException;
import ktp.printer.PrinterStatus;
import ktp.printer.link.PrinterLink;
import ktp.station.StationConfig;
import ktp.telemetry.BrokerSettings;

/**
 * `check-config --probe`: each device and server asked in its own protocol, so that "answers" means "answers as
 * what the configuration says it is": the printer's status reply (Evolis), the scanner's handshake (R30x VfyPwd),
 * the data center's lease list with the station's own credentials, the broker's CONNACK for the station's user.
 * When a printer port does not answer as a printer, the scanner's handshake is tried on it (and the other way
 * round), so that swapped ports are named as such.
 */
final class Probes {
    private Probes() {}

    static void printer(String key, StationConfig.Printer p, StationConfig.Scanner scanner, List<String> failed) {
        String uri = p.uri();
        if (uri.startsWith("file:")) {
            StationCommand.CheckConfig.answered(key, uri, CliText.t("probe.file"));
            return;
        }
        try {
            PrinterStatus s = status(p);
            StationCommand.CheckConfig.answered(key, uri, CliText.t("probe.printer", s.model(), s.firmware(), s.serial(), String.valueOf(s.ribbonRemaining())));
        } catch (PrinterException e) {
            if (answersAsScanner(uri, scanner)) {
                StationCommand.CheckConfig.report(key, uri, CliText.t("probe.scannerOnPrinter", scanner.uri()), failed);
            } else {
                StationCommand.CheckConfig.report(key, uri, PrinterCommands.Status.diagnose(uri, e), failed);
            }
        }
    }

    static void scanner(String key, StationConfig.Scanner s, StationConfig.Printer printer, List<String> failed) {
        try (R30xScanner r = R30xScanner.open(s.uri(), s.profile())) {
            int code = r.handshake();
            if (code == 0) StationCommand.CheckConfig.answered(key, s.uri(), CliText.t("probe.scanner", s.profile().id()));
            else StationCommand.CheckConfig.report(key, s.uri(), CliText.t("probe.scannerRefuses", String.format("%02X", code)), failed);
        } catch (R30xScanner.ScannerException | IOException e) {
            String problem = CliText.t("probe.noHandshake", e.getMessage());
            if (!printer.uri().startsWith("file:") && s.uri().startsWith(printer.uri().startsWith("tcp://") ? "tcp://" : "serial:")) {
                try {
                    PrinterStatus ps = status(new StationConfig.Printer(printer.name(), s.uri(), printer.profile(), printer.reader(), printer.chipless()));
                    problem = CliText.t("probe.printerOnScanner", ps.model(), printer.uri());
                } catch (PrinterException notAPrinter) {
                    // neither: the plain handshake failure stands
                }
            }
            StationCommand.CheckConfig.report(key, s.uri(), problem, failed);
        }
    }

    static void broker(String key, BrokerSettings b, String stationId, List<String> failed) {
        String clientId = stationId + "-probe";
        try (org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(b.url(), clientId,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = b.options();
            o.setConnectionTimeout(5);
            o.setAutomaticReconnect(false);
            o.setCleanSession(true);
            client.connect(o);
            StationCommand.CheckConfig.answered(key, b.url(), b.username() == null ? CliText.t("probe.brokerAnonymous") : CliText.t("probe.broker", b.username()));
            client.disconnect();
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            int code = e.getReasonCode();
            String problem = code == org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_FAILED_AUTHENTICATION
                    || code == org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_NOT_AUTHORIZED
                    ? CliText.t("probe.brokerRefuses", String.valueOf(code))
                    : CliText.t("probe.noConnack", e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
            StationCommand.CheckConfig.report(key, b.url(), problem, failed);
        } catch (IOException e) {
            StationCommand.CheckConfig.report(key, b.url(), e.getMessage(), failed);
        }
    }

    static void central(String key, StationConfig c, List<String> failed) {
        StationConfig.Central dc = c.central();
        try {
            Optional<String> token = dc.tokenFile() == null ? Optional.empty() : Optional.of(Files.readString(dc.tokenFile()).strip());
            javax.net.ssl.SSLContext tls = dc.ca() == null ? null : ktp.central.Tls.context(dc.ca(), dc.certificate(), dc.key());
            CentralClient client = new CentralClient(CentralClient.Config.of(dc.url(), c.stationId(), tls, token, dc.plainHttp())
                    .withDeadline(java.time.Duration.ofSeconds(5)));
            List<CentralClient.Lease> leases = client.leases();
            StationCommand.CheckConfig.answered(key, dc.url().toString(), CliText.t("probe.central", c.stationId(), leases.size()));
        } catch (CentralException e) {
            String problem = e.httpStatus() == 401 || e.httpStatus() == 403
                    ? CliText.t("probe.centralRefuses", String.valueOf(e.httpStatus()), e.code(), dc.tokenFile() != null ? "token_file" : "certificate and central.key")
                    : e.kind() == CentralException.Kind.UNREACHABLE ? CliText.t("probe.noAnswer", e.getMessage()) : e.getMessage();
            StationCommand.CheckConfig.report(key, dc.url().toString(), problem, failed);
        } catch (IOException | RuntimeException e) {
            StationCommand.CheckConfig.report(key, dc.url().toString(), e.getMessage(), failed);
        }
    }

    private static PrinterStatus status(StationConfig.Printer p) throws PrinterException {
        try (PrinterDriver d = new PrinterDriver(p.profile(), () -> PrinterLink.open(p.uri(), p.profile().link()))) {
            return d.status();
        }
    }

    private static boolean answersAsScanner(String uri, StationConfig.Scanner scanner) {
        try (R30xScanner r = R30xScanner.open(uri, scanner.profile())) {
            r.handshake();
            return true;
        } catch (R30xScanner.ScannerException | IOException | RuntimeException e) {
            return false;
        }
    }
}

package ktp.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import ktp.datafile.DataFileException;
import ktp.printer.PrinterProfile;
import ktp.record.CardSeal;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.record.ValidatedRecord;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.render.RenderException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Render a signed record as the card the printer will print: front.pdf and back.pdf (vector, true size,",
                "fonts embedded), front-preview.png and back-preview.png (with the blank's preview background), and each",
                "ribbon panel of each side as the printer's raster (SIDE-K.png, SIDE-Y.png, ... SIDE-O.png).",
                "The record is validated first, exactly as before printing (--trust is the data center's keys)."})
final class RenderCommand implements Callable<Integer> {
    @Option(names = "--record", paramLabel = "FILE", required = true, description = "a signed record envelope (JSON)")
    Path record;

    @Option(names = "--trust", paramLabel = "DIR",
            description = "the data center's trusted keys (KEYID.pem files); default: trusted-keys/ beside the record's folder, as 'ktp sim records' lays it out")
    Path trust;

    @Option(names = "--profile", paramLabel = "ID|FILE", required = true, description = "printer profile id (firmware-profiles/printers/ID.yaml) or file")
    String profile;

    @Option(names = "--template", paramLabel = "NAME|FILE", defaultValue = "ktpel", description = "card template (templates/NAME.yaml) or file (default ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output folder (created if missing)")
    Path out;

    @Override
    public Integer call() throws IOException {
        byte[] envelope;
        try {
            envelope = Files.readAllBytes(record);
        } catch (IOException e) {
            throw CliText.bad("err.render.record", record.toString(), String.valueOf(e.getMessage()));
        }
        if (trust == null) trust = Templates.trustBeside(record);
        TrustedKeys keys;
        try {
            keys = TrustedKeys.loadDirectory(trust);
        } catch (IOException e) {
            throw CliText.bad("err.render.trust", trust.toString(), String.valueOf(e.getMessage()));
        }
        PrinterProfile printer;
        CardRenderer renderer;
        try {
            printer = PrinterProfile.resolve(Paths.printerProfiles(), profile);
            renderer = Templates.renderer(template);
        } catch (DataFileException e) {
            throw CliText.bad("err.render.file", e.message(CliText.language()));
        }
        ValidatedRecord v;
        try {
            v = new RecordValidator(keys, Clock.systemUTC(), renderer.fitCheck()).validate(envelope);
        } catch (RecordRejectedException e) {
            // The reason's code and the validator's detail as they are, as in record check.
            System.err.println("ktp: " + (e.field().isEmpty() ? CliText.t("render.rejected", record.toString(), e.reason().name(), e.getMessage())
                    : CliText.t("render.rejectedField", record.toString(), e.reason().name(), e.field(), e.getMessage())));
            return ExitCodes.FAILURE;
        }
        String qr = CardSeal.qrText(CardSeal.Contents.of(v.record(), v.envelope().keyId()), v.envelope().cardSeal());
        try {
            CardRenderer.RenderedCard card = renderer.render(v.record(), qr);
            ktp.datafile.PrivateFiles.createDirectories(out);
            for (CardTemplate.Side side : CardTemplate.Side.values()) {
                String s = side.name().toLowerCase();
                CardRenderer.RenderedSide rs = card.side(side);
                ktp.datafile.PrivateFiles.write(out.resolve(s + ".pdf"), rs.pdf()); // the holder's photo and data: owner only
                ImageIO.write(renderer.preview(rs, printer.raster().dpi()), "png", out.resolve(s + "-preview.png").toFile());
                if (side == CardTemplate.Side.BACK && !printer.dualSided()) {
                    System.out.println(CliText.t("render.oneSide", printer.id()));
                    continue;
                }
                for (Map.Entry<String, BufferedImage> p : renderer.panels(rs, printer.panelLayout()).entrySet()) {
                    ImageIO.write(p.getValue(), "png", out.resolve(s + "-" + p.getKey() + ".png").toFile());
                }
            }
            System.out.println(CliText.t("render.done", v.record().recordId(), printer.id(), String.valueOf(printer.raster().width()), String.valueOf(printer.raster().height()),
                    String.valueOf(printer.raster().dpi()), printer.panels().stream().map(PrinterProfile.Panel::name).toList().toString(), out.toString()));
            return ExitCodes.OK;
        } catch (RenderException e) {
            System.err.println("ktp: " + CliText.t("render.failed", v.record().recordId(), String.valueOf(e.getMessage())));
            return ExitCodes.FAILURE;
        }
    }
}

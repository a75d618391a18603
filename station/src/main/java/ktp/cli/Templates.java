package ktp.cli;

import java.io.IOException;
import java.nio.file.Path;
import ktp.datafile.DataFileException;
import ktp.record.FitCheck;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;

/** The card template a command names: templates/NAME.yaml under the checkout, or a file. */
final class Templates {
    private Templates() {}

    static CardRenderer renderer(String nameOrFile) throws DataFileException {
        Path file = nameOrFile.endsWith(".yaml") ? Path.of(nameOrFile) : Paths.templates().resolve(nameOrFile + ".yaml");
        try {
            return new CardRenderer(CardTemplate.load(file));
        } catch (IOException e) {
            throw new DataFileException(file.toString(), "fonts", "cannot read a font: " + e.getMessage());
        }
    }

    /**
     * The data center's keys for a record file when none are named: trusted-keys/ beside the record's folder,
     * the layout `ktp sim records` writes.
     */
    static Path trustBeside(Path record) {
        Path parent = record.toAbsolutePath().getParent();
        Path guess = parent == null || parent.getParent() == null ? null : parent.getParent().resolve("trusted-keys");
        if (guess == null || !java.nio.file.Files.isDirectory(guess)) {
            throw new BadInputException("--trust DIR is needed: no trusted-keys/ folder beside " + (parent == null ? record : parent));
        }
        return guess;
    }

    static FitCheck fitCheck(String nameOrFile) {
        try {
            return renderer(nameOrFile).fitCheck();
        } catch (DataFileException e) {
            throw new BadInputException("--template: " + e.message(CliText.language()));
        }
    }
}

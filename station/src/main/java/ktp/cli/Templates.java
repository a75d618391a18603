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

    static FitCheck fitCheck(String nameOrFile) {
        try {
            return renderer(nameOrFile).fitCheck();
        } catch (DataFileException e) {
            throw new BadInputException("--template: " + e.getMessage());
        }
    }
}

package ktp.record;

/**
 * Whether every printed field of a record fits its place on the card. The default counts characters against
 * {@link CardFields}' budgets; a station with a card template measures the real glyphs of the real font
 * (ktp.render.CardRenderer#fitCheck), so that what validation passes always renders without clipping.
 */
@FunctionalInterface
public interface FitCheck {
    FitCheck CHARACTER_BUDGETS = CardFields::checkFit;

    void check(PrintRecord record) throws RecordRejectedException;
}

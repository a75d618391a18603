package ktp.store;

/** What became of a blank card that entered the printer. IN_PRINTER is the only open fate. */
public enum BlankFate { IN_PRINTER, PRINTED_AWAITING_HOLDER, ISSUED, SPOILED }

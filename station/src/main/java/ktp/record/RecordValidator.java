package ktp.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ktp.text.SafeText;

/**
 * Decides whether a received envelope may be printed. The checks run in a fixed order (envelope, signature,
 * payload JSON, schema, NIK, dates, images, templates, fit on the card) and the first failure is the verdict,
 * so a record always gets the same reason code. Pure: no I/O but reading its own schema once; safe to share
 * between threads.
 */
public final class RecordValidator {
    private static final JsonSchema SCHEMA = loadSchema();

    private final TrustedKeys keys;
    private final Clock clock;
    private final FitCheck fit;

    public RecordValidator(TrustedKeys keys, Clock clock) { this(keys, clock, FitCheck.CHARACTER_BUDGETS); }

    /** With the fit measured by {@code fit} (the card template's, when the station has one). */
    public RecordValidator(TrustedKeys keys, Clock clock, FitCheck fit) {
        this.keys = keys;
        this.clock = clock;
        this.fit = fit;
    }

    /**
     * The verdict on one envelope. Nothing in the bytes can make this throw anything but a rejection: a check
     * that fails unexpectedly (a bug, or a library's exception on input nobody foresaw) ends as
     * {@link Reason#INTERNAL_CHECK_FAILED} with the exception named, so one poison record can never stop an
     * intake or a batch check.
     */
    public ValidatedRecord validate(byte[] envelopeBytes) throws RecordRejectedException {
        try {
            return check(envelopeBytes);
        } catch (RuntimeException | StackOverflowError e) {
            throw internal(e);
        }
    }

    private ValidatedRecord check(byte[] envelopeBytes) throws RecordRejectedException {
        Envelope envelope = Envelope.parse(envelopeBytes);
        PublicKey key = keys.get(envelope.keyId()).orElseThrow(() -> new RecordRejectedException(Reason.SIGNATURE_UNKNOWN_KEY, "keyId",
                "the record is signed with key id '" + envelope.keyId() + "', which this station does not trust (trusted: "
                        + String.join(", ", keys.keyIds()) + ")"));
        if (!Signatures.verify(envelope.payload(), envelope.signature(), key)) {
            throw new RecordRejectedException(Reason.SIGNATURE_INVALID, "signature",
                    "the signature does not verify with key '" + envelope.keyId() + "': the payload was altered or signed by another key");
        }
        PrintRecord record = validatePayload(envelope.payload());
        if (envelope.cardSeal() == null) {
            throw new RecordRejectedException(Reason.CARD_SEAL_MISSING, "cardSeal", "the envelope carries no cardSeal, so the card's QR code could not be signed");
        }
        if (!Signatures.verify(CardSeal.Contents.of(record, envelope.keyId()).signedBytes(), envelope.cardSeal(), key)) {
            throw new RecordRejectedException(Reason.CARD_SEAL_INVALID, "cardSeal",
                    "the cardSeal does not verify under key " + envelope.keyId() + " for this record's NIK, name, birth date and id");
        }
        if (envelope.chipSeal() == null) {
            throw new RecordRejectedException(Reason.CHIP_SEAL_MISSING, "chipSeal", "the envelope carries no chipSeal, so the chip's data could not be authenticated by any reader");
        }
        if (!Signatures.verify(ktp.record.ChipData.hashList(ktp.record.ChipData.dataGroups(record)), envelope.chipSeal(), key)) {
            throw new RecordRejectedException(Reason.CHIP_SEAL_INVALID, "chipSeal",
                    "the chipSeal does not verify under key " + envelope.keyId() + " over the hashes of this record's data groups");
        }
        return new ValidatedRecord(record, envelope);
    }

    /** The checks after the signature; also used on records the station built itself (tests, re-validation). */
    public PrintRecord validatePayload(byte[] payload) throws RecordRejectedException {
        try {
            return checkPayload(payload);
        } catch (RuntimeException | StackOverflowError e) {
            throw internal(e);
        }
    }

    static RecordRejectedException internal(Throwable e) {
        return new RecordRejectedException(Reason.INTERNAL_CHECK_FAILED, "",
                "checking the record failed unexpectedly: " + e.getClass().getName() + ": " + e.getMessage());
    }

    private PrintRecord checkPayload(byte[] payload) throws RecordRejectedException {
        JsonNode root;
        try {
            root = RecordJson.MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new RecordRejectedException(Reason.PAYLOAD_MALFORMED, "", "the signed payload is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new RecordRejectedException(Reason.PAYLOAD_MALFORMED, "", "the signed payload is not a JSON object");
        }
        // Before the schema: its patterns run with Java's '$', which also matches before a final line terminator
        // (\n, \r, U+0085, U+2028, U+2029); with every such character refused here, each pattern matches the
        // whole value.
        checkNoUnsafeCharacters(root, "");
        checkSchema(root);
        PrintRecord record = RecordJson.read(root);

        Nik nik = Nik.parse(record.nik());
        List<RecordRejectedException> nikDefects = nik.check(record.region().code(), record.front().jenisKelamin(), record.front().tanggalLahir());
        if (!nikDefects.isEmpty()) throw nikDefects.get(0);

        LocalDate today = LocalDate.now(clock);
        if (record.front().tanggalLahir().isAfter(today)) {
            throw new RecordRejectedException(Reason.DATE_INCONSISTENT, "front.tanggalLahir", "Tgl Lahir " + record.front().tanggalLahir() + " is in the future");
        }
        if (record.issue().date().isBefore(record.front().tanggalLahir())) {
            throw new RecordRejectedException(Reason.DATE_INCONSISTENT, "issue.date",
                    "the issue date " + record.issue().date() + " is before the birth date " + record.front().tanggalLahir());
        }
        if (record.issue().date().isAfter(today.plusDays(1))) {
            throw new RecordRejectedException(Reason.DATE_INCONSISTENT, "issue.date", "the issue date " + record.issue().date() + " is in the future");
        }

        MediaChecks.checkPhoto(record.photoJpeg());
        MediaChecks.checkSignature(record.signaturePng());
        Set<Integer> positions = new HashSet<>();
        for (int i = 0; i < record.fingerprints().size(); i++) {
            PrintRecord.Fingerprint fp = record.fingerprints().get(i);
            String path = "fingerprints[" + i + "].data";
            if (!positions.add(fp.position())) {
                throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, "fingerprints[" + i + "].position",
                        "both templates are of finger position " + fp.position() + "; the chip needs two different fingers");
            }
            MediaChecks.checkIsoTemplate(fp.isoTemplate(), fp.position(), path);
        }
        CardFields.checkFit(record);
        if (fit != FitCheck.CHARACTER_BUDGETS) fit.check(record);
        return record;
    }

    /**
     * No string and no key anywhere in the payload may hold a control, format or separator character
     * ({@link SafeText#isUnsafe}): none belongs on a card, in a QR seal or on a chip, and each could change
     * what an operator's screen, a log or a PDF shows.
     */
    private static void checkNoUnsafeCharacters(JsonNode node, String path) throws RecordRejectedException {
        if (node.isTextual()) {
            String text = node.textValue();
            int at = SafeText.firstUnsafe(text);
            if (at >= 0) {
                throw new RecordRejectedException(Reason.SCHEMA_VIOLATION, path, (path.isEmpty() ? "the payload" : path) + " holds the control character "
                        + SafeText.codePointName(text.codePointAt(at)) + " at position " + at + "; printed and sealed text may hold none");
            }
        } else if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                String key = f.getKey();
                if (SafeText.firstUnsafe(key) >= 0) {
                    throw new RecordRejectedException(Reason.SCHEMA_VIOLATION, path, (path.isEmpty() ? "the payload" : path)
                            + " has a key with a control character ('" + SafeText.escape(key) + "')");
                }
                checkNoUnsafeCharacters(f.getValue(), path.isEmpty() ? key : path + "." + key);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) checkNoUnsafeCharacters(node.get(i), path + "[" + i + "]");
        }
    }

    private static void checkSchema(JsonNode root) throws RecordRejectedException {
        Set<ValidationMessage> errors = SCHEMA.validate(root);
        if (errors.isEmpty()) return;
        ValidationMessage first = errors.stream()
                .min(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString()).thenComparing(ValidationMessage::getType))
                .orElseThrow();
        String location = jsonPath(first.getInstanceLocation().toString());
        String property = first.getProperty();
        String field = "required".equals(first.getType()) && property != null
                ? (location.isEmpty() ? property : location + "." + property) : location;
        Reason reason = Reason.SCHEMA_VIOLATION;
        if (field.equals("photo") || field.equals("photo.data")) reason = Reason.PHOTO_MISSING;
        if (field.equals("signature") || field.equals("signature.data")) reason = Reason.SIGNATURE_IMAGE_MISSING;
        if (field.equals("nik")) reason = Reason.NIK_FORMAT;
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more schema error(s))" : "";
        throw new RecordRejectedException(reason, field, field + ": " + first.getMessage() + more);
    }

    /** "$.front.nama" -> "front.nama"; "$" -> "". */
    private static String jsonPath(String location) {
        if (location.equals("$")) return "";
        return location.startsWith("$.") ? location.substring(2) : location;
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = RecordValidator.class.getResourceAsStream("print-record.schema.json")) {
            if (in == null) throw new IllegalStateException("print-record.schema.json is missing from the station's resources");
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read print-record.schema.json", e);
        }
    }
}

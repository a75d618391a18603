package ktp.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The print record's JSON form (schema: print-record.schema.json, format "ktpel-print-record/1"). Written and
 * read field by field, so the wire format is exactly what the schema and docs/print-record.md say, with no
 * reflection deciding it.
 */
public final class RecordJson {
    public static final String FORMAT = "ktpel-print-record/1";
    /**
     * Refuses a key given twice in one object (Jackson would otherwise keep the last one silently), and reads
     * every number with a fraction or exponent exactly (BigDecimal): as a double, 1e400 is Infinity, on which
     * the schema validator threw NumberFormatException (found by fuzzing).
     */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private RecordJson() {}

    public static byte[] write(PrintRecord r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("recordId", r.recordId());
        root.put("recordVersion", r.recordVersion());
        root.put("nik", r.nik());
        ObjectNode region = root.putObject("region");
        region.put("province", r.region().province());
        region.put("regency", r.region().regency());
        region.put("district", r.region().district());
        PrintRecord.Front f = r.front();
        ObjectNode front = root.putObject("front");
        front.put("provinsi", f.provinsi());
        front.put("kabupatenKota", f.kabupatenKota());
        front.put("nama", f.nama());
        front.put("tempatLahir", f.tempatLahir());
        front.put("tanggalLahir", f.tanggalLahir().toString());
        front.put("jenisKelamin", f.jenisKelamin().printed());
        front.put("golDarah", f.golDarah());
        front.put("alamat", f.alamat());
        front.put("rtRw", f.rtRw());
        front.put("kelDesa", f.kelDesa());
        front.put("kecamatan", f.kecamatan());
        front.put("agama", f.agama());
        front.put("statusPerkawinan", f.statusPerkawinan());
        front.put("pekerjaan", f.pekerjaan());
        front.put("kewarganegaraan", f.kewarganegaraan());
        front.put("berlakuHingga", f.berlakuHingga());
        ObjectNode issue = root.putObject("issue");
        issue.put("place", r.issue().place());
        issue.put("date", r.issue().date().toString());
        if (r.photoJpeg() != null) {
            ObjectNode photo = root.putObject("photo");
            photo.put("mediaType", "image/jpeg");
            photo.put("data", Base64.getEncoder().encodeToString(r.photoJpeg()));
        }
        if (r.signaturePng() != null) {
            ObjectNode sig = root.putObject("signature");
            sig.put("mediaType", "image/png");
            sig.put("data", Base64.getEncoder().encodeToString(r.signaturePng()));
        }
        ArrayNode fps = root.putArray("fingerprints");
        for (PrintRecord.Fingerprint fp : r.fingerprints()) {
            ObjectNode n = fps.addObject();
            n.put("position", fp.position());
            n.put("format", "ISO_19794_2_2005");
            n.put("data", Base64.getEncoder().encodeToString(fp.isoTemplate()));
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot happen: writing a tree of strings", e);
        }
    }

    /**
     * Reads a record from a tree that already passed the schema; what the schema cannot say (real dates,
     * base64) is checked here with the field named.
     */
    static PrintRecord read(JsonNode root) throws RecordRejectedException {
        JsonNode region = root.get("region");
        JsonNode f = root.get("front");
        JsonNode issue = root.get("issue");
        List<PrintRecord.Fingerprint> fps = new ArrayList<>();
        JsonNode fpArray = root.get("fingerprints");
        for (int i = 0; i < fpArray.size(); i++) {
            JsonNode n = fpArray.get(i);
            fps.add(new PrintRecord.Fingerprint(n.get("position").asInt(),
                    base64(n.get("data"), "fingerprints[" + i + "].data", Reason.FINGERPRINT_INVALID)));
        }
        return new PrintRecord(
                text(root, "recordId"),
                recordVersion(root.get("recordVersion")),
                text(root, "nik"),
                new PrintRecord.Region(text(region, "province"), text(region, "regency"), text(region, "district")),
                new PrintRecord.Front(
                        text(f, "provinsi"), text(f, "kabupatenKota"), text(f, "nama"), text(f, "tempatLahir"),
                        date(f, "tanggalLahir", "front.tanggalLahir"), Sex.parse(text(f, "jenisKelamin")),
                        text(f, "golDarah"), text(f, "alamat"), text(f, "rtRw"), text(f, "kelDesa"),
                        text(f, "kecamatan"), text(f, "agama"), text(f, "statusPerkawinan"), text(f, "pekerjaan"),
                        text(f, "kewarganegaraan"), text(f, "berlakuHingga")),
                new PrintRecord.Issue(text(issue, "place"), date(issue, "date", "issue.date")),
                base64(root.get("photo").get("data"), "photo.data", Reason.PHOTO_INVALID),
                base64(root.get("signature").get("data"), "signature.data", Reason.SIGNATURE_IMAGE_INVALID),
                List.copyOf(fps));
    }

    private static String text(JsonNode node, String name) { return node.get(name).asText(); }

    /** The schema bounds it to 1..2^31-1; checked again here so that no value can ever be wrapped into an int. */
    private static int recordVersion(JsonNode n) throws RecordRejectedException {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
            throw new RecordRejectedException(Reason.SCHEMA_VIOLATION, "recordVersion", "recordVersion is " + n.asText() + "; it must be a whole number from 1 to 2147483647");
        }
        return n.intValue();
    }

    private static LocalDate date(JsonNode node, String name, String path) throws RecordRejectedException {
        String value = node.get(name).asText();
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new RecordRejectedException(Reason.SCHEMA_VIOLATION, path, path + " is '" + value + "', not a real date (YYYY-MM-DD)");
        }
    }

    private static byte[] base64(JsonNode node, String path, Reason reason) throws RecordRejectedException {
        try {
            return Base64.getDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw new RecordRejectedException(reason, path, path + " is not valid base64: " + e.getMessage());
        }
    }
}

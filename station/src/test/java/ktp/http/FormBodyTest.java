package ktp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormBodyTest {
    @Test
    void fieldsInOrderPercentEncodedInUtf8() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("nik", "3273010101900001");
        f.put("reason", "kartu rusak & hilang");
        f.put("nama", "Siti Nurhaliza Ä");
        assertEquals("nik=3273010101900001&reason=kartu+rusak+%26+hilang&nama=Siti+Nurhaliza+%C3%84", FormBody.encode(f));
        assertEquals("", FormBody.encode(Map.of()));
    }
}

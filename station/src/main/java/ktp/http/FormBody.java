package ktp.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An HTML form's fields as an {@code application/x-www-form-urlencoded} body, for the clients of the console's forms. */
public final class FormBody {
    private FormBody() {}

    /** The fields in the map's order, each name and value percent-encoded in UTF-8 and joined by {@code &}. */
    public static String encode(Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (body.length() > 0) body.append('&');
            body.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return body.toString();
    }
}

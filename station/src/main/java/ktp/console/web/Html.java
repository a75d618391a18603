package ktp.console.web;

import java.util.Map;

/** Small pieces of HTML the pages share; every text put in a page goes through {@link #esc}. */
public final class Html {
    private Html() {}

    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A one-button form that posts {@code hidden} and the session's CSRF token to {@code action}. */
    public static String form(Request r, String action, String id, String label, Map<String, String> hidden) {
        StringBuilder b = new StringBuilder("<form method=post action=\"" + action + "\">" + csrf(r));
        hidden.forEach((k, v) -> b.append("<input type=hidden name=\"").append(esc(k)).append("\" value=\"").append(esc(v)).append("\">"));
        return b.append("<button type=submit id=\"").append(esc(id)).append("\">").append(esc(label)).append("</button></form>").toString();
    }

    public static String csrf(Request r) { return "<input type=hidden name=csrf value=\"" + r.session().csrf() + "\">"; }

    public static String back(Request r, String to) { return "<p><a href=\"" + to + "\" id=back>" + esc(r.t("back")) + "</a></p>"; }

    public static void row(StringBuilder b, String k, String v) {
        b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v == null ? "" : v)).append("</td></tr>");
    }

    /** A name someone typed, safe for one audit line. */
    public static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7E]", "?");
        return t.length() > 40 ? t.substring(0, 40) + "..." : t;
    }
}

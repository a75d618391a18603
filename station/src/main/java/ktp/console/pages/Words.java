package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.util.Locale;
import ktp.console.web.Request;
import ktp.job.JobState;
import ktp.store.BlankFate;

/**
 * The operator's words for what the store and devices keep as codes and English wire text: states, fates,
 * reasons and audit details go through the catalogue; the technical text stays behind it, in a
 * {@code <details>} the operator may open (the catalogue's own words come first).
 */
final class Words {
    private Words() {}

    static String state(Request r, JobState s) { return r.t("state." + s.name()); }

    static String fate(Request r, BlankFate f) { return r.t("fate." + f.name()); }

    static String role(Request r, ktp.store.Role role) { return r.t("role." + role.name().toLowerCase(Locale.ROOT)); }

    /**
     * A stored reason or detail (English, technical) as HTML: the catalogue's sentence for its kind, with the
     * original behind it. Empty stays empty.
     */
    static String reason(Request r, String technical) {
        if (technical == null || technical.isBlank()) return "";
        return "<span class=reason>" + esc(r.t("reason." + ReasonKind.of(technical))) + "</span> " + technicalDetail(r, technical);
    }

    static String technicalDetail(Request r, String technical) {
        return "<details class=tech><summary>" + esc(r.t("technical")) + "</summary><code>" + esc(technical) + "</code></details>";
    }
}

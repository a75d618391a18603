package ktp.console.pages;

import java.util.ArrayList;
import java.util.List;
import ktp.console.ConsoleContext;
import ktp.console.web.Route;

/** Every page's routes, in the menu's order. */
public final class Pages {
    private Pages() {}

    public static List<Route> all(ConsoleContext c) {
        List<Route> all = new ArrayList<>();
        all.addAll(new SignInPage(c).routes());
        all.addAll(new QueuePage(c).routes());
        all.addAll(new PrinterPage(c).routes());
        all.addAll(new IssuePage(c).routes());
        all.addAll(new ReprintPage(c).routes());
        all.addAll(new LedgerPage(c).routes());
        all.addAll(new AuditPage(c).routes());
        all.addAll(new ReportsPage(c).routes());
        all.addAll(new CloseOfDayPage(c).routes());
        all.addAll(new Api(c).routes());
        return all;
    }
}

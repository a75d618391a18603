package ktp.console.web;

import java.io.IOException;

/** One check every request passes before its page (session, same origin, CSRF token, role): it answers itself or hands on. */
public interface Filter {
    void filter(Request r, Route route, Chain next) throws IOException;

    interface Chain {
        void proceed(Request r) throws IOException;
    }
}

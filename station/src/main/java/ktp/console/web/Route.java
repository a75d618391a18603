package ktp.console.web;

import java.io.IOException;
import java.util.Set;
import ktp.store.Role;

/**
 * One thing the console answers: its method and path, who may use it (no roles: anyone signed in; {@code open}:
 * no session needed, the sign-in page), the handler, and the navigation label when it is a page in the menu.
 */
public record Route(String method, String path, boolean open, Set<Role> roles, Handler handler, String nav) {
    public interface Handler {
        void handle(Request r) throws IOException;
    }

    public static Route open(String method, String path, Handler h) { return new Route(method, path, true, Set.of(), h, null); }

    public static Route page(String path, String nav, Handler h, Role... roles) { return new Route("GET", path, false, Set.of(roles), h, nav); }

    public static Route get(String path, Handler h, Role... roles) { return new Route("GET", path, false, Set.of(roles), h, null); }

    public static Route post(String path, Handler h, Role... roles) { return new Route("POST", path, false, Set.of(roles), h, null); }

    public boolean allows(Role role) { return roles.isEmpty() || roles.contains(role); }
}

package ktp.store;

/** Who made a change: a person signed in with a role, or the station itself. Recorded in the audit log. */
public record Actor(String name, Role role) {
    public static final Actor STATION = new Actor("station", Role.SYSTEM);

    public Actor {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("an actor needs a name");
    }

    @Override
    public String toString() { return role.name().toLowerCase(java.util.Locale.ROOT) + ":" + name; }
}

package ktp.store;

/** Who may do what at a station; the console (issue 10) signs people in with one of these. */
public enum Role { SYSTEM, OPERATOR, SUPERVISOR, TECHNICIAN }

package ktp.lifecycle;

/** Who the seed document holds responsible for a record while it has a status. */
public enum Responsibility {
    /** The Disdukcapil office of the regency or city (Kabupaten/Kota): enrolment desk, print station. */
    REGIONAL,
    /** The national data center of the Ministry of Home Affairs (Data Center Kemendagri, "Pusat"). */
    CENTRAL
}

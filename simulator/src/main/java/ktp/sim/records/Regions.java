package ktp.sim.records;

import java.util.List;

/**
 * A small catalogue of regions for synthetic residents. Province and regency/city codes are the Kemendagri
 * codes of those places (for example 61 71 = Kota Pontianak); the district codes pair real kecamatan names
 * with illustrative numbers, and village names are common ones, so no synthetic address is a real one.
 */
final class Regions {
    record District(String code, String name, List<String> villages) {}

    record Regency(String provinceCode, String provinceName, String regencyCode, String regencyName, String city,
                   List<District> districts) {}

    private static final List<String> VILLAGES_A = List.of("SUKAMAJU", "MEKARSARI", "SUKARAME", "KARANG ANYAR", "SIDOMULYO");
    private static final List<String> VILLAGES_B = List.of("SUMBERSARI", "TANJUNG SARI", "MARGAHAYU", "CEMPAKA PUTIH", "KEBON JERUK");
    private static final List<String> VILLAGES_C = List.of("BATU AMPAR", "SUNGAI JAWI", "PAL LIMA", "BANJAR SERASAN", "TAMBELAN SAMPIT");

    static final List<Regency> ALL = List.of(
            new Regency("61", "KALIMANTAN BARAT", "71", "KOTA PONTIANAK", "PONTIANAK", List.of(
                    new District("01", "PONTIANAK SELATAN", VILLAGES_C), new District("02", "PONTIANAK TIMUR", VILLAGES_C),
                    new District("03", "PONTIANAK BARAT", VILLAGES_C), new District("04", "PONTIANAK UTARA", VILLAGES_C))),
            new Regency("32", "JAWA BARAT", "73", "KOTA BANDUNG", "BANDUNG", List.of(
                    new District("01", "SUKASARI", VILLAGES_A), new District("02", "COBLONG", VILLAGES_A),
                    new District("03", "BANDUNG WETAN", VILLAGES_B), new District("04", "CIBEUNYING KIDUL", VILLAGES_B))),
            new Regency("31", "DKI JAKARTA", "71", "KOTA JAKARTA SELATAN", "JAKARTA", List.of(
                    new District("01", "TEBET", VILLAGES_B), new District("02", "SETIABUDI", VILLAGES_B),
                    new District("03", "KEBAYORAN BARU", VILLAGES_A))),
            new Regency("33", "JAWA TENGAH", "74", "KOTA SEMARANG", "SEMARANG", List.of(
                    new District("01", "SEMARANG TENGAH", VILLAGES_A), new District("02", "CANDISARI", VILLAGES_B),
                    new District("03", "BANYUMANIK", VILLAGES_A))),
            new Regency("35", "JAWA TIMUR", "78", "KOTA SURABAYA", "SURABAYA", List.of(
                    new District("01", "GENTENG", VILLAGES_B), new District("02", "WONOKROMO", VILLAGES_A),
                    new District("03", "RUNGKUT", VILLAGES_B))),
            new Regency("51", "BALI", "71", "KOTA DENPASAR", "DENPASAR", List.of(
                    new District("01", "DENPASAR SELATAN", VILLAGES_A), new District("02", "DENPASAR TIMUR", VILLAGES_B))),
            new Regency("12", "SUMATERA UTARA", "75", "KOTA MEDAN", "MEDAN", List.of(
                    new District("01", "MEDAN KOTA", VILLAGES_A), new District("02", "MEDAN BARU", VILLAGES_B),
                    new District("03", "MEDAN JOHOR", VILLAGES_C))),
            new Regency("73", "SULAWESI SELATAN", "71", "KOTA MAKASSAR", "MAKASSAR", List.of(
                    new District("01", "MARISO", VILLAGES_C), new District("02", "MAMAJANG", VILLAGES_A),
                    new District("03", "PANAKKUKANG", VILLAGES_B))));

    private Regions() {}
}

package ktp.console;

import java.util.Map;

/** The console's words in Indonesian (the default) and English. A missing key shows itself, never blank. */
final class Messages {
    private static final Map<String, String[]> TEXT = Map.ofEntries(
            Map.entry("title", new String[] {"Konsol Stasiun Cetak KTP-el", "KTP-el Print Station Console"}),
            Map.entry("signin", new String[] {"Masuk", "Sign in"}),
            Map.entry("signout", new String[] {"Keluar", "Sign out"}),
            Map.entry("user", new String[] {"Nama pengguna", "User name"}),
            Map.entry("password", new String[] {"Kata sandi", "Password"}),
            Map.entry("wrong", new String[] {"Nama pengguna atau kata sandi salah.", "Wrong user name or password."}),
            Map.entry("locked", new String[] {"Akun terkunci karena terlalu banyak percobaan; coba lagi setelah", "The account is locked after too many attempts; try again after"}),
            Map.entry("expired", new String[] {"Sesi berakhir karena tidak aktif; silakan masuk lagi.", "Your session timed out; please sign in again."}),
            Map.entry("queue", new String[] {"Antrean", "Queue"}),
            Map.entry("printer", new String[] {"Printer & persediaan", "Printer & supplies"}),
            Map.entry("issue", new String[] {"Penyerahan", "Issuance"}),
            Map.entry("ledger", new String[] {"Buku blangko", "Blank ledger"}),
            Map.entry("audit", new String[] {"Log audit", "Audit log"}),
            Map.entry("reports", new String[] {"Laporan", "Reports"}),
            Map.entry("record", new String[] {"Rekaman", "Record"}),
            Map.entry("state", new String[] {"Status", "State"}),
            Map.entry("blank", new String[] {"Blangko", "Blank"}),
            Map.entry("updated", new String[] {"Diperbarui", "Updated"}),
            Map.entry("reason", new String[] {"Alasan", "Reason"}),
            Map.entry("filter", new String[] {"Saring", "Filter"}),
            Map.entry("all", new String[] {"semua", "all"}),
            Map.entry("searchnik", new String[] {"Cari NIK", "Search NIK"}),
            Map.entry("jobs", new String[] {"pekerjaan", "jobs"}),
            Map.entry("printerstate", new String[] {"Keadaan printer", "Printer state"}),
            Map.entry("ribbon", new String[] {"Sisa ribbon (kartu)", "Ribbon left (cards)"}),
            Map.entry("feeder", new String[] {"Ada blangko di feeder", "Blanks in the feeder"}),
            Map.entry("feedercount", new String[] {"Blangko di feeder menurut catatan", "Blanks in the feeder by the records"}),
            Map.entry("rejectfull", new String[] {"Kotak tolak penuh", "Reject box full"}),
            Map.entry("printed", new String[] {"Kartu dicetak (penghitung)", "Cards printed (counter)"}),
            Map.entry("paused", new String[] {"Dijeda oleh kantor pusat", "Paused by the central office"}),
            Map.entry("alert", new String[] {"Perlu tindakan", "Needs a person"}),
            Map.entry("noalert", new String[] {"Tidak ada peringatan.", "No alerts."}),
            Map.entry("yes", new String[] {"ya", "yes"}),
            Map.entry("no", new String[] {"tidak", "no"}),
            Map.entry("unknown", new String[] {"belum diketahui", "not known yet"}),
            Map.entry("waiting", new String[] {"Kartu menunggu pemiliknya", "Cards waiting for their holders"}),
            Map.entry("failed", new String[] {"Aktivasi gagal (keputusan supervisor)", "Activation failed (a supervisor decides)"}),
            Map.entry("insertread", new String[] {"Masukkan kartu ke pembaca, lalu baca", "Insert the card into the reader, then read it"}),
            Map.entry("read", new String[] {"Baca kartu", "Read card"}),
            Map.entry("holder", new String[] {"Pemilik kartu", "Card holder"}),
            Map.entry("genuine", new String[] {"Data chip asli (autentikasi pasif)", "Chip data genuine (passive authentication)"}),
            Map.entry("notgenuine", new String[] {"Data chip TIDAK asli", "Chip data NOT genuine"}),
            Map.entry("activate", new String[] {"Letakkan jari, cocokkan, aktifkan", "Place the finger, match, activate"}),
            Map.entry("placefinger", new String[] {"Minta pemilik meletakkan jari telunjuk kanan pada pemindai, lalu tekan:", "Ask the holder to place the right index finger on the scanner, then press:"}),
            Map.entry("result", new String[] {"Hasil", "Result"}),
            Map.entry("override", new String[] {"Keputusan supervisor: serahkan", "Supervisor override: issue"}),
            Map.entry("overridereason", new String[] {"Alasan (wajib)", "Reason (required)"}),
            Map.entry("forbidden", new String[] {"Peran Anda tidak boleh melakukan ini.", "Your role may not do this."}),
            Map.entry("csrf", new String[] {"Permintaan ditolak (token formulir tidak ada atau salah).", "Request refused (the form's token is missing or wrong)."}),
            Map.entry("fate", new String[] {"Nasib", "Fate"}),
            Map.entry("load", new String[] {"Catat blangko dimasukkan ke feeder", "Record blanks loaded into the feeder"}),
            Map.entry("count", new String[] {"Jumlah", "Count"}),
            Map.entry("reference", new String[] {"Referensi (surat jalan)", "Reference (delivery note)"}),
            Map.entry("save", new String[] {"Simpan", "Save"}),
            Map.entry("daily", new String[] {"Laporan harian (PDF)", "Daily report (PDF)"}),
            Map.entry("reconciliation", new String[] {"Rekonsiliasi blangko (PDF)", "Blank reconciliation (PDF)"}),
            Map.entry("date", new String[] {"Tanggal", "Date"}),
            Map.entry("from", new String[] {"Dari", "From"}),
            Map.entry("to", new String[] {"Sampai", "To"}),
            Map.entry("counted", new String[] {"Dihitung di feeder", "Counted in the feeder"}),
            Map.entry("download", new String[] {"Unduh", "Download"}),
            Map.entry("when", new String[] {"Waktu", "When"}),
            Map.entry("who", new String[] {"Siapa", "Who"}),
            Map.entry("action", new String[] {"Tindakan", "Action"}),
            Map.entry("detail", new String[] {"Rincian", "Detail"}),
            Map.entry("saved", new String[] {"Tersimpan.", "Saved."}),
            Map.entry("badinput", new String[] {"Masukan salah", "Bad input"}),
            Map.entry("back", new String[] {"Kembali", "Back"}));

    private Messages() {}

    static String get(String key, boolean english) {
        String[] t = TEXT.get(key);
        return t == null ? "[" + key + "]" : t[english ? 1 : 0];
    }
}

package ktp.office.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The office's PostgreSQL: a server named by JDBC URL (production), or an embedded PostgreSQL whose cluster
 * lives in {@code DATA/pg} (a first try, the demo: nothing to install). Either way the schema is brought up to
 * date by Flyway's migrations ({@code db/migration/V*__*.sql}) before anything else, and connections come from
 * a HikariCP pool.
 */
public final class OfficeDatabase implements AutoCloseable {
    private final HikariDataSource pool;
    private final EmbeddedPostgres embedded;
    private final String url;

    private OfficeDatabase(HikariDataSource pool, EmbeddedPostgres embedded, String url) {
        this.pool = pool;
        this.embedded = embedded;
        this.url = url;
    }

    /** A PostgreSQL server: migrates it and opens a pool of {@code poolSize} connections. */
    public static OfficeDatabase connect(String jdbcUrl, String user, String password, int poolSize) throws IOException {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        if (user != null) c.setUsername(user);
        if (password != null) c.setPassword(password);
        c.setMaximumPoolSize(poolSize);
        c.setMinimumIdle(1);
        c.setPoolName("ktp-office");
        c.setAutoCommit(false);
        // A database that is restarting must not stop the office's start for good, nor a collector later:
        // the pool starts empty (fail fast off) and each use waits at most 5 s for a connection.
        c.setInitializationFailTimeout(-1);
        c.setConnectionTimeout(5_000);
        c.setValidationTimeout(2_000);
        HikariDataSource pool = new HikariDataSource(c);
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw new IOException("database " + jdbcUrl + ": " + e.getMessage(), e);
        }
        return new OfficeDatabase(pool, null, jdbcUrl);
    }

    /** The embedded PostgreSQL in {@code dataDir/pg}, started (kept across starts) and migrated. */
    public static OfficeDatabase embedded(Path dataDir, int poolSize) throws IOException {
        if ("root".equals(System.getProperty("user.name"))) {
            // PostgreSQL itself refuses to run as root (initdb: "cannot be run as root").
            throw new IOException("the embedded PostgreSQL cannot run as root: run the office as an ordinary user, or set database.url to a PostgreSQL server");
        }
        ktp.datafile.PrivateFiles.createDirectories(dataDir);
        Path pg = dataDir.resolve("pg");
        EmbeddedPostgres e = EmbeddedPostgres.builder()
                .setDataDirectory(pg)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(dataDir.resolve("pg-binaries").toFile())
                .setRegisterShutdownHook(true)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()))
                .start();
        String url = e.getJdbcUrl("postgres", "postgres");
        try {
            OfficeDatabase db = connect(url, "postgres", null, poolSize);
            return new OfficeDatabase(db.pool, e, url);
        } catch (IOException x) {
            e.close();
            throw x;
        }
    }

    private static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }

    public DataSource dataSource() { return pool; }

    public Connection connection() throws SQLException { return pool.getConnection(); }

    public String url() { return url; }

    public boolean isEmbedded() { return embedded != null; }

    @Override
    public void close() throws IOException {
        pool.close();
        if (embedded != null) embedded.close();
    }

    /** Reads a password file (the first line), refusing one others can read. */
    public static String password(Path file) throws IOException {
        if (file == null) return null;
        if (ktp.datafile.PrivateFiles.readableByOthers(file)) throw new IOException(file + ": the password file is readable by others (chmod 600 it)");
        return Files.readAllLines(file).stream().findFirst().orElse("").strip();
    }
}

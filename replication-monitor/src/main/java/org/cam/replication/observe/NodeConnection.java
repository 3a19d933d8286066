package org.cam.replication.observe;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * One plain JDBC connection to a node, opened lazily and re-opened after any failure. Deliberately no pool:
 * a pool that waits for a dead node would stall the observation loop past its interval.
 */
public final class NodeConnection implements AutoCloseable {

    private static final org.mariadb.jdbc.Driver DRIVER = new org.mariadb.jdbc.Driver();

    private final NodeEndpoint endpoint;
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private Connection connection;

    public NodeConnection(NodeEndpoint endpoint, Duration connectTimeout, Duration socketTimeout) {
        this.endpoint = endpoint;
        this.connectTimeout = connectTimeout;
        this.socketTimeout = socketTimeout;
    }

    public NodeEndpoint endpoint() {
        return endpoint;
    }

    public synchronized Connection get() throws SQLException {
        if (connection == null) {
            connection = open(endpoint, connectTimeout, socketTimeout);
        }
        return connection;
    }

    /** Drop the connection after an error; the next {@link #get()} opens a fresh one. */
    public synchronized void invalidate() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is already broken; nothing to tell
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        invalidate();
    }

    public static Connection open(NodeEndpoint endpoint, Duration connectTimeout, Duration socketTimeout)
            throws SQLException {
        String url = "jdbc:mariadb://" + endpoint.host() + ":" + endpoint.port() + "/";
        Properties props = new Properties();
        props.setProperty("user", endpoint.user());
        props.setProperty("password", endpoint.password());
        props.setProperty("connectTimeout", Long.toString(connectTimeout.toMillis()));
        props.setProperty("socketTimeout", Long.toString(socketTimeout.toMillis()));
        // MySQL 8 caching_sha2_password without TLS needs the server's key
        props.setProperty("allowPublicKeyRetrieval", "true");
        props.setProperty("autocommit", "true");
        Connection c = DRIVER.connect(url, props);
        if (c == null) {
            throw new SQLException("driver rejected URL " + url);
        }
        return c;
    }
}

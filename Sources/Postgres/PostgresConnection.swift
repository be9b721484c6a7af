import CLibPQ
import Dispatch
import Foundation

/// One libpq connection, safe to hold and pass between tasks.
///
/// All libpq work happens on the connection's own serial queue, off Swift's cooperative
/// thread pool, so a statement waiting on a lock never starves other tasks. Use
/// ``withSession(_:)`` to run a block of synchronous statements (a transaction, a COPY)
/// in one hop.
public final class PostgresConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    // Touched only on `queue`.
    private var session: PostgresSession?
    public let configuration: PostgresConfiguration
    private let applicationName: String

    private init(configuration: PostgresConfiguration, applicationName: String, session: PostgresSession, queue: DispatchQueue) {
        self.configuration = configuration
        self.applicationName = applicationName
        self.session = session
        self.queue = queue
    }

    /// Opens `count` connections (none when `count` ≤ 0), e.g. the workers of a concurrent
    /// fold; on failure the ones already open are closed.
    public static func connect(_ configuration: PostgresConfiguration, count: Int) async throws -> [PostgresConnection] {
        var opened: [PostgresConnection] = []
        do {
            for _ in 0..<max(0, count) { opened.append(try await connect(configuration)) }
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
        return opened
    }

    /// Opens a connection.
    public static func connect(_ configuration: PostgresConfiguration, applicationName: String = "finsync") async throws -> PostgresConnection {
        let queue = DispatchQueue(label: "finsync.postgres.connection")
        let session: PostgresSession = try await withCheckedThrowingContinuation { cont in
            queue.async {
                do { cont.resume(returning: try PostgresConnection.open(configuration, applicationName: applicationName)) } catch { cont.resume(throwing: error) }
            }
        }
        return PostgresConnection(configuration: configuration, applicationName: applicationName, session: session, queue: queue)
    }

    /// Opens a connection synchronously (for command-line tools and tests' set-up).
    public static func connectBlocking(_ configuration: PostgresConfiguration, applicationName: String = "finsync") throws -> PostgresConnection {
        let queue = DispatchQueue(label: "finsync.postgres.connection")
        let session = try queue.sync { try open(configuration, applicationName: applicationName) }
        return PostgresConnection(configuration: configuration, applicationName: applicationName, session: session, queue: queue)
    }

    private static func open(_ configuration: PostgresConfiguration, applicationName: String) throws -> PostgresSession {
        // expand_dbname=1 lets `dbname` carry a full URI or conninfo string; libpq keeps the
        // last value of a repeated key, so what comes before it is a default the string may
        // override. GSSAPI encryption is off unless asked for: libpq's default ("prefer")
        // probes Kerberos on every connect, and a probe running while the process exits trips
        // an assertion in libkrb5's thread-local cleanup (seen as a test run exited).
        let keys = ["gssencmode", "dbname", "application_name", "fallback_application_name"]
        let values = ["disable", configuration.connectionString, applicationName, applicationName]
        let conn: OpaquePointer? = withArrayOfCStrings(keys) { k in
            withArrayOfCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn else { throw PostgresError(code: .connection, message: "out of memory creating a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let msg = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(conn)
            throw PostgresError(code: .connection, message: "cannot connect to \(configuration.redacted.isEmpty ? "the database named by PG* variables" : configuration.redacted): \(msg)")
        }
        let session = PostgresSession(conn: conn)
        try session.execute("SET client_min_messages = warning")
        return session
    }

    /// Runs `body` with exclusive use of the connection, on the connection's thread.
    public func withSession<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async {
                guard let s = self.session else { cont.resume(throwing: PostgresError(code: .usage, message: "connection is closed")); return }
                do { cont.resume(returning: try body(s)) } catch { cont.resume(throwing: error) }
            }
        }
    }

    /// Runs `body` synchronously with exclusive use of the connection.
    /// Never call from inside another ``withSession(_:)`` of the same connection.
    public func withSessionBlocking<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try queue.sync {
            guard let s = session else { throw PostgresError(code: .usage, message: "connection is closed") }
            return try body(s)
        }
    }

    /// Whether the server is gone (libpq's `CONNECTION_BAD`: the server restarted, the
    /// backend was terminated, the network dropped). Only a ``reconnect()`` helps then.
    public var isBroken: Bool {
        get async {
            await withCheckedContinuation { cont in
                queue.async { cont.resume(returning: self.session?.isConnectionBad ?? false) }
            }
        }
    }

    /// Replaces a lost connection with a new one to the same database (same parameters and
    /// application name); session state — prepared statements, `LISTEN`s, `SET`s — starts
    /// afresh. Throws (leaving the connection broken) when the server cannot be reached yet.
    public func reconnect() async throws {
        let configuration = self.configuration, applicationName = self.applicationName
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
            queue.async {
                guard self.session != nil else { cont.resume(throwing: PostgresError(code: .usage, message: "connection is closed")); return }
                do {
                    let fresh = try PostgresConnection.open(configuration, applicationName: applicationName)
                    self.session?.close()
                    self.session = fresh
                    cont.resume()
                } catch { cont.resume(throwing: error) }
            }
        }
    }

    /// Closes the connection; later calls fail with a usage error.
    public func close() {
        queue.sync { session?.close(); session = nil }
    }

    deinit { session?.close() }
}

private func withArrayOfCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let cStrings = strings.map { strdup($0) }
    defer { cStrings.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

import CLibPQ
import Foundation

/// Synchronous access to one open libpq connection.
///
/// A session is only ever used on its connection's own thread: obtain it through
/// ``PostgresConnection/withSession(_:)``. It is deliberately not `Sendable`.
public final class PostgresSession {
    let conn: OpaquePointer
    private var prepared: [String: String] = [:]  // sql -> statement name
    private var preparedSerial = 0
    private var closed = false

    init(conn: OpaquePointer) { self.conn = conn }

    func close() {
        guard !closed else { return }
        closed = true
        PQfinish(conn)
    }

    deinit { close() }

    /// libpq has lost the server (`CONNECTION_BAD`).
    var isConnectionBad: Bool { closed || PQstatus(conn) == CONNECTION_BAD }

    /// The server's major version (e.g. 15).
    public var serverMajorVersion: Int { Int(PQserverVersion(conn)) / 10000 }

    // MARK: Statements

    /// Runs one or more statements without parameters (simple protocol).
    @discardableResult
    public func execute(_ sql: String) throws -> PostgresResult {
        guard let r = PQexec(conn, sql) else { throw connectionError(sql) }
        return try check(r, sql)
    }

    /// Runs a parameterised statement.
    ///
    /// - Parameters:
    ///   - binaryResult: ask for binary column values (integers, `bytea`, `uuid`, timestamps
    ///     decode without parsing text).
    ///   - prepare: prepare the statement once per connection and reuse it afterwards.
    ///
    /// A prepared statement is re-planned by the server after DDL on what it reads (a rebuild's
    /// table swap included); only a changed result type cannot be, and then the statement
    /// is prepared afresh once.
    @discardableResult
    public func query(_ sql: String, _ params: [PostgresParameter] = [], binaryResult: Bool = false, prepare: Bool = false) throws -> PostgresResult {
        guard prepare else { return try run(sql, params, binaryResult: binaryResult, prepare: false) }
        do {
            return try run(sql, params, binaryResult: binaryResult, prepare: true)
        } catch let e as PostgresError where e.sqlState == "0A000" && e.message.contains("cached plan must not change result type") {
            if let name = prepared.removeValue(forKey: sql) { _ = try? execute("DEALLOCATE \(name)") }
            return try run(sql, params, binaryResult: binaryResult, prepare: true)
        }
    }

    private func run(_ sql: String, _ params: [PostgresParameter], binaryResult: Bool, prepare: Bool) throws -> PostgresResult {
        let r: OpaquePointer? = try withParams(params) { values, lengths, formats in
            if prepare {
                let name = try preparedName(for: sql)
                return PQexecPrepared(conn, name, Int32(params.count), values, lengths, formats, binaryResult ? 1 : 0)
            }
            return PQexecParams(conn, sql, Int32(params.count), nil, values, lengths, formats, binaryResult ? 1 : 0)
        }
        guard let r else { throw connectionError(sql) }
        return try check(r, sql)
    }

    /// Prepares `sql` under a generated name, once per connection.
    func preparedName(for sql: String) throws -> String {
        if let name = prepared[sql] { return name }
        preparedSerial += 1
        let name = "finsync_\(preparedSerial)"
        guard let r = PQprepare(conn, name, sql, 0, nil) else { throw connectionError(sql) }
        _ = try check(r, sql)
        prepared[sql] = name
        return name
    }

    /// Streams the rows of a large result one at a time (libpq single-row mode),
    /// so memory stays bounded whatever the result size.
    public func forEachRow(_ sql: String, _ params: [PostgresParameter] = [], binaryResult: Bool = false, _ body: (PostgresRow) throws -> Void) throws {
        let sent: Int32 = try withParams(params) { values, lengths, formats in
            PQsendQueryParams(conn, sql, Int32(params.count), nil, values, lengths, formats, binaryResult ? 1 : 0)
        }
        guard sent == 1 else { throw connectionError(sql) }
        guard PQsetSingleRowMode(conn) == 1 else { throw PostgresError(code: .usage, message: "could not enter single-row mode", statement: sql) }
        var firstError: Error? = nil
        while let r = PQgetResult(conn) {
            let result = PostgresResult(handle: r, statement: sql)
            switch PQresultStatus(r) {
            case PGRES_SINGLE_TUPLE:
                if firstError == nil {
                    do { try body(result[0]) } catch { firstError = error }
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                break
            default:
                if firstError == nil { firstError = makeError(r, sql) }
            }
        }
        if let firstError { throw firstError }
    }

    // MARK: Pipelining

    /// Sends several statements in one round trip (libpq pipeline mode) and returns
    /// their results in order. Stops at the first failing statement and throws its error.
    public func pipeline(_ statements: [(sql: String, params: [PostgresParameter])], binaryResult: Bool = false) throws -> [PostgresResult] {
        guard PQenterPipelineMode(conn) == 1 else { throw PostgresError(code: .usage, message: "could not enter pipeline mode") }
        defer { PQexitPipelineMode(conn) }
        for st in statements {
            let ok: Int32 = try withParams(st.params) { values, lengths, formats in
                PQsendQueryParams(conn, st.sql, Int32(st.params.count), nil, values, lengths, formats, binaryResult ? 1 : 0)
            }
            guard ok == 1 else { throw connectionError(st.sql) }
        }
        guard PQpipelineSync(conn) == 1 else { throw connectionError(nil) }
        var results: [PostgresResult] = []
        var failure: Error? = nil
        var index = 0
        var afterNull = false
        while true {
            guard let r = PQgetResult(conn) else {
                // One NULL ends each statement's results. Two in a row, or a connection gone
                // bad, mean no more are coming (the connection dropped): libpq would return
                // NULL forever, so waiting for the sync result would spin.
                if afterNull || PQstatus(conn) != CONNECTION_OK {
                    throw failure ?? connectionError(index < statements.count ? statements[index].sql : nil)
                }
                afterNull = true
                continue
            }
            afterNull = false
            let status = PQresultStatus(r)
            if status == PGRES_PIPELINE_SYNC { PQclear(r); break }
            let sql = index < statements.count ? statements[index].sql : nil
            switch status {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                results.append(PostgresResult(handle: r, statement: sql))
                index += 1
            case PGRES_PIPELINE_ABORTED:
                PQclear(r); index += 1
            default:
                if failure == nil { failure = makeError(r, sql) }
                PQclear(r); index += 1
            }
        }
        if let failure { throw failure }
        return results
    }

    // MARK: Transactions

    /// Whether a transaction is open on this session (so ``transaction(isolation:_:)``
    /// would run its body under a savepoint).
    public var isInTransaction: Bool { PQtransactionStatus(conn) != PQTRANS_IDLE }

    /// Runs `body` inside BEGIN … COMMIT; any error rolls back and is rethrown.
    ///
    /// Called inside a transaction already open on this session, it runs `body` under a
    /// savepoint instead (an error rolls back to it), so a helper that makes its own
    /// transaction never commits its caller's half-way. `isolation` only applies to an
    /// outermost transaction.
    public func transaction<T>(isolation: String? = nil, _ body: (PostgresSession) throws -> T) throws -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT finsync_nested" : isolation.map { "BEGIN ISOLATION LEVEL \($0)" } ?? "BEGIN")
        do {
            let value = try body(self)
            try execute(nested ? "RELEASE SAVEPOINT finsync_nested" : "COMMIT")
            return value
        } catch {
            _ = PQexec(conn, nested ? "ROLLBACK TO SAVEPOINT finsync_nested; RELEASE SAVEPOINT finsync_nested" : "ROLLBACK").map { PQclear($0) }
            throw error
        }
    }

    // MARK: COPY

    /// Bulk-loads rows with `COPY … FROM STDIN (FORMAT binary)`.
    ///
    /// - Parameter sql: the COPY statement, e.g. `COPY t (a, b) FROM STDIN (FORMAT binary)`.
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, _ data: CopyBinaryWriter) throws -> Int {
        try copyInRaw(sql, data.finish())
    }

    func copyInRaw(_ sql: String, _ bytes: [UInt8]) throws -> Int {
        guard let r = PQexec(conn, sql) else { throw connectionError(sql) }
        let status = PQresultStatus(r)
        guard status == PGRES_COPY_IN else { _ = try check(r, sql); throw PostgresError(code: .copy, message: "statement did not start COPY FROM STDIN", statement: sql) }
        PQclear(r)
        let chunk = 1 << 20
        var offset = 0
        try bytes.withUnsafeBufferPointer { buf in
            while offset < buf.count {
                let n = min(chunk, buf.count - offset)
                let ok = buf.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: n) { PQputCopyData(conn, $0, Int32(n)) }
                guard ok == 1 else { throw PostgresError(code: .copy, message: lastMessage(), statement: sql) }
                offset += n
            }
        }
        guard PQputCopyEnd(conn, nil) == 1 else { throw PostgresError(code: .copy, message: lastMessage(), statement: sql) }
        var copied = 0
        var failure: Error? = nil
        while let r = PQgetResult(conn) {
            if PQresultStatus(r) == PGRES_COMMAND_OK { copied = Int(String(cString: PQcmdTuples(r))) ?? 0; PQclear(r) }
            else if failure == nil { failure = makeError(r, sql); PQclear(r) } else { PQclear(r) }
        }
        if let failure { throw failure }
        return copied
    }

    // MARK: LISTEN / NOTIFY

    /// Subscribes this connection to `channel`.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(PostgresSession.quoteIdentifier(channel))")
    }

    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// Waits up to `timeout` for notifications on channels this connection listens to.
    /// Returns at once when some are already queued; returns `[]` on timeout.
    public func waitForNotifications(timeout: Duration) throws -> [PostgresNotification] {
        var out = drainNotifications()
        if !out.isEmpty { return out }
        let fd = PQsocket(conn)
        guard fd >= 0 else { throw connectionError(nil) }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let rc = poll(&pfd, 1, ms)
        if rc > 0 {
            guard PQconsumeInput(conn) == 1 else { throw connectionError(nil) }
            out = drainNotifications()
        }
        return out
    }

    private func drainNotifications() -> [PostgresNotification] {
        _ = PQconsumeInput(conn)
        var out: [PostgresNotification] = []
        while let n = PQnotifies(conn) {
            out.append(PostgresNotification(channel: String(cString: n.pointee.relname), payload: String(cString: n.pointee.extra), processID: n.pointee.be_pid))
            PQfreemem(n)
        }
        return out
    }

    // MARK: Quoting

    /// Quotes an identifier (schema, table or channel name) for interpolation into SQL.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Quotes a string literal for interpolation into SQL (prefer parameters).
    public static func quoteLiteral(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    // MARK: Internals

    private func withParams<T>(_ params: [PostgresParameter], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> T) throws -> T {
        if params.isEmpty { return try body(nil, nil, nil) }
        // Keep every value's bytes alive for the call.
        var storage: [[UInt8]] = []
        storage.reserveCapacity(params.count)
        var lengths = [Int32](repeating: 0, count: params.count)
        var formats = [Int32](repeating: 0, count: params.count)
        var isNull = [Bool](repeating: false, count: params.count)
        for (i, p) in params.enumerated() {
            switch p.storage {
            case .null: storage.append([]); isNull[i] = true
            case .text(let s): var b = Array(s.utf8); b.append(0); storage.append(b); lengths[i] = Int32(b.count - 1)
            case .bytes(let b): storage.append(b.isEmpty ? [0] : b); lengths[i] = Int32(b.count); formats[i] = 1
            }
        }
        return try withPointers(storage, 0, []) { pointers in
            var values: [UnsafePointer<CChar>?] = pointers.enumerated().map { isNull[$0.offset] ? nil : $0.element }
            return try values.withUnsafeMutableBufferPointer { v in
                try lengths.withUnsafeBufferPointer { l in
                    try formats.withUnsafeBufferPointer { f in
                        try body(UnsafePointer(v.baseAddress), l.baseAddress, f.baseAddress)
                    }
                }
            }
        }
    }

    private func withPointers<T>(_ storage: [[UInt8]], _ i: Int, _ acc: [UnsafePointer<CChar>?], _ body: ([UnsafePointer<CChar>?]) throws -> T) throws -> T {
        if i == storage.count { return try body(acc) }
        return try storage[i].withUnsafeBufferPointer { buf in
            try buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
                try withPointers(storage, i + 1, acc + [p], body)
            }
        }
    }

    func check(_ r: OpaquePointer, _ sql: String?) throws -> PostgresResult {
        switch PQresultStatus(r) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COPY_IN, PGRES_COPY_OUT:
            return PostgresResult(handle: r, statement: sql)
        default:
            let e = makeError(r, sql)
            PQclear(r)
            throw e
        }
    }

    func makeError(_ r: OpaquePointer, _ sql: String?) -> PostgresError {
        func field(_ code: Int32) -> String? { PQresultErrorField(r, code).map { String(cString: $0) } }
        let primary = field(Int32(UInt8(ascii: "M"))) ?? String(cString: PQresultErrorMessage(r)).trimmingCharacters(in: .whitespacesAndNewlines)
        let state = field(Int32(UInt8(ascii: "C")))
        return PostgresError(code: state == nil ? .protocolViolation : .server,
                             message: primary.isEmpty ? lastMessage() : primary,
                             sqlState: state,
                             detail: field(Int32(UInt8(ascii: "D"))),
                             hint: field(Int32(UInt8(ascii: "H"))),
                             statement: sql)
    }

    func lastMessage() -> String {
        String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func connectionError(_ sql: String?) -> PostgresError {
        PostgresError(code: .connection, message: lastMessage(), statement: sql)
    }
}

/// A message delivered by `NOTIFY`.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    public var processID: Int32
}

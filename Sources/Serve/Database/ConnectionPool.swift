import Foundation
import Postgres
import Synchronization

/// A fixed set of database connections the API's handlers share.
///
/// Each ``PostgresConnection`` runs its statements on its own serial queue, so a handler's
/// one ``session(_:)`` block is atomic on its connection and blocks are simply spread
/// round-robin: no checkout, no waiting list. A connection the server dropped (restart,
/// terminated backend) is reconnected on the next use; the request that found it broken
/// answers 503.
public final class ConnectionPool: Sendable {
    public let connections: [PostgresConnection]
    private let next = Atomic<Int>(0)

    public init(connections: [PostgresConnection]) {
        precondition(!connections.isEmpty, "a pool needs at least one connection")
        self.connections = connections
    }

    /// Opens `size` connections (at least one).
    public static func open(_ configuration: PostgresConfiguration, size: Int) async throws -> ConnectionPool {
        ConnectionPool(connections: try await PostgresConnection.connect(configuration, count: max(1, size)))
    }

    /// The connection the next block runs on.
    public var connection: PostgresConnection {
        let n = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return connections[abs(n % connections.count)]
    }

    /// Runs `body` on one pooled connection; a lost connection becomes a 503 problem (and is
    /// reconnected for the next request).
    ///
    /// Within a request that carries a ``ResourceStateProbe``, the block first reads the
    /// answer's state on the same connection, ahead of the handler's own statements.
    public func session<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        let conn = connection
        let probe = ResourceStateProbe.current
        do {
            return try await conn.withSession { s in
                try probe?.readIfNeeded(in: s)
                return try body(s)
            }
        } catch let error as PostgresError {
            if await conn.isBroken {
                try? await conn.reconnect()
                throw APIProblem.unavailable
            }
            throw error
        }
    }

    public func close() { connections.forEach { $0.close() } }
}

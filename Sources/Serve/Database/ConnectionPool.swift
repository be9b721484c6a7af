import Foundation
import Postgres
import Synchronization

/// A fixed set of database connections the API's handlers share.
///
/// Each ``PostgresConnection`` runs its statements on its own serial queue, so a handler's
/// one ``session(_:)`` block is atomic on its connection: no checkout, no waiting list. A
/// block goes to the connection with the fewest blocks queued or running (ties spread by a
/// rotating start), so a request never waits behind a slow page while another connection is
/// idle — round-robin did, and it showed in the tail latency. A connection the server dropped
/// (restart, terminated backend) is reconnected on the next use; the request that found it
/// broken answers 503.
public final class ConnectionPool: Sendable {
    public let connections: [PostgresConnection]
    /// Blocks queued or running on each connection (by index).
    private let load: [Load]
    private let next = Atomic<Int>(0)

    private final class Load: Sendable {
        let blocks = Atomic<Int>(0)
    }

    public init(connections: [PostgresConnection]) {
        precondition(!connections.isEmpty, "a pool needs at least one connection")
        self.connections = connections
        self.load = connections.map { _ in Load() }
    }

    /// Opens `size` connections (at least one).
    public static func open(_ configuration: PostgresConfiguration, size: Int) async throws -> ConnectionPool {
        ConnectionPool(connections: try await PostgresConnection.connect(configuration, count: max(1, size)))
    }

    /// The least loaded connection, for a component that runs blocks of its own on it.
    public var connection: PostgresConnection { connections[leastLoaded()] }

    /// The index of the connection with the fewest blocks, scanning from a rotating start.
    private func leastLoaded() -> Int {
        let count = connections.count
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        var best = abs(start % count), fewest = Int.max
        for k in 0..<count {
            let i = abs((start &+ k) % count)
            let blocks = load[i].blocks.load(ordering: .relaxed)
            if blocks < fewest { best = i; fewest = blocks }
            if blocks == 0 { break }
        }
        return best
    }

    /// Runs `body` on one pooled connection; a lost connection becomes a 503 problem (and is
    /// reconnected for the next request).
    ///
    /// Within a request that carries a ``ResourceStateProbe``, the block first reads the
    /// answer's state on the same connection, ahead of the handler's own statements.
    public func session<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        let index = leastLoaded()
        let conn = connections[index], slot = load[index]
        slot.blocks.wrappingAdd(1, ordering: .relaxed)
        defer { slot.blocks.wrappingSubtract(1, ordering: .relaxed) }
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

import Synchronization

/// Links kept in memory: dry runs (a copy, so nothing is marked for reconnection) and tests.
public final class InMemoryEnableBankingLinkStore: EnableBankingLinkStore {
    private let links: Mutex<[String: EnableBankingLink]>

    public init(_ links: [EnableBankingLink] = []) {
        self.links = Mutex(Dictionary(links.map { ($0.connection, $0) }, uniquingKeysWith: { _, b in b }))
    }

    public func all() async throws -> [EnableBankingLink] { links.withLock { $0.values.sorted { $0.connection < $1.connection } } }

    public func save(_ link: EnableBankingLink) async throws { links.withLock { $0[link.connection] = link } }

    public func markForReconnection(connection: String, message: String) async throws {
        links.withLock { l in
            l[connection]?.status = "reconnect"
            l[connection]?.message = message
        }
    }
}

/// Where Enable Banking links are kept (``PostgresEnableBankingLinkStore`` in
/// `ingest.enablebanking_links`; ``InMemoryEnableBankingLinkStore`` for dry runs and tests).
public protocol EnableBankingLinkStore: Sendable {
    func all() async throws -> [EnableBankingLink]
    /// Inserts or replaces the link of `link.connection` (status active).
    func save(_ link: EnableBankingLink) async throws
    /// The session ended: sync nothing more through it until the bank is linked again.
    func markForReconnection(connection: String, message: String) async throws
}

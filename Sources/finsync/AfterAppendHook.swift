import Postgres

/// The hook run after a sync's appends. The lead wires the projection runner here
/// (`Projections` is not a dependency of `Ingest`); until then runs only append.
enum AfterAppendHook {
    static func make(connection: PostgresConnection) -> (@Sendable () async throws -> Void)? { nil }
}

import Postgres
import Projections

/// What a sync does after its appends: catch every projection up, so the run ends with
/// the unified tables current. A projection that stops on a bad event fails the hook,
/// which the run records as partially failed.
enum AfterAppendHook {
    static func make(connection: PostgresConnection) -> (@Sendable () async throws -> Void)? {
        {
            let results = try await ProjectionRunner(connection: connection).catchUp(ProjectionCatalog.liveTargets)
            if let failed = results.first(where: { $0.outcome == .failed }) {
                throw failed.error ?? ProjectionError(code: .malformedPayload, message: "projection \(failed.projection) stopped at position \(failed.position)")
            }
        }
    }
}

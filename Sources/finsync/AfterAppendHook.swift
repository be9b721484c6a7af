import Postgres
import Projections
import Replay

/// What a sync does after its appends: catch every projection up (taking the snapshots
/// it passes, by the default policy), so the run ends with the unified tables current. A
/// projection that stops on a bad event fails the hook, which the run records as partially failed.
enum AfterAppendHook {
    static func make(connection: PostgresConnection) -> (@Sendable () async throws -> Void)? {
        {
            let results = try await SnapshottingCatchUp(runner: ProjectionRunner(connection: connection)).catchUp(ProjectionCatalog.liveTargets)
            if let failed = results.first(where: { $0.outcome == .failed }) {
                throw failed.error ?? ProjectionError(code: .malformedPayload, message: "projection \(failed.projection) stopped at position \(failed.position)")
            }
        }
    }
}

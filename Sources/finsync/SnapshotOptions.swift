import ArgumentParser
import Replay

/// `--snapshot-every` and `--keep-snapshots`, shared by the commands that fold from the log.
struct SnapshotOptions: ParsableArguments {
    @Option(help: "Snapshot every N positions while folding (0: take none). The interval doubles when the log outgrows --keep-snapshots intervals.")
    var snapshotEvery: Int64 = 100_000
    @Option(help: "Most snapshots kept per projection (0: no limit); older ones are thinned to an even spread.")
    var keepSnapshots = 10

    func validate() throws {
        guard snapshotEvery >= 0 else { throw ValidationError("--snapshot-every must be 0 or more (got \(snapshotEvery))") }
        guard keepSnapshots >= 0 else { throw ValidationError("--keep-snapshots must be 0 or more (got \(keepSnapshots))") }
    }

    var policy: SnapshotPolicy { SnapshotPolicy(every: snapshotEvery, keep: keepSnapshots) }
}

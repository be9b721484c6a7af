import EventLog

/// How a rebuild runs.
public struct RebuildOptions: Sendable {
    /// Events per folded batch (and per transaction).
    public var batchSize: Int = EventLog.defaultBatchSize
    /// Move the replaced live tables to a `retired_<projection>_<time>` schema instead of dropping them.
    public var keepOld: Bool = false
    /// When to snapshot the shadow while folding, and how many snapshots to keep.
    public var snapshots = SnapshotPolicy()
    /// Fold outside the swap until the shadow is at most this far behind the head; the
    /// rest is folded inside the swap transaction, holding the live projection's lock.
    public var swapLag: Int64 = 20_000
    /// How long the swap keeps trying to take the live tables from readers. It never waits
    /// while holding a live table (it takes them all at once with NOWAIT and backs off), so
    /// a reader touching several tables can never deadlock with it.
    public var lockWait: Duration = .seconds(30)
    /// Drop any existing shadow and start from position 0 instead of resuming it.
    public var restart: Bool = false

    public init() {}
}

/// What a rebuild did.
public struct RebuildResult: Sendable {
    public var projections: [String]
    /// The position the new live tables stand at.
    public var position: Int64
    /// Log positions folded by this run (a resumed run counts only its own).
    public var eventsFolded: Int64
    public var seconds: Double
    /// Where the replaced tables went with `keepOld`.
    public var retiredSchemas: [String: String]
}

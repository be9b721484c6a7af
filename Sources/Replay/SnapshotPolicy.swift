/// When folds take snapshots, and how many each projection keeps.
///
/// Snapshots are full copies of a projection's tables, so a fixed interval makes their
/// total size grow with the square of the log (at 1M events and an interval of 100k they
/// already held ~5× the live state). The policy keeps at most ``keep`` per projection: the
/// interval starts at ``every`` and doubles whenever the log outgrows `keep` intervals, so
/// the kept snapshots stay evenly spread over the whole log (a replay's tail is at most
/// one interval) and their total size stays within about `keep / 2` times the live state.
public struct SnapshotPolicy: Sendable, Hashable {
    /// The smallest interval, in positions (0: take no snapshots).
    public var every: Int64
    /// Most snapshots kept per projection (0: no limit, the interval never grows).
    public var keep: Int

    public init(every: Int64 = 100_000, keep: Int = 10) {
        self.every = every
        self.keep = keep
    }

    /// Takes none.
    public static let none = SnapshotPolicy(every: 0, keep: 0)

    public var takesSnapshots: Bool { every > 0 }

    /// The interval in force once the log reaches `position`: `every × 2^k` for the
    /// smallest `k` that fits `position` into `keep` intervals.
    public func interval(reaching position: Int64) -> Int64 {
        guard every > 0 else { return 0 }
        var stride = every
        while keep > 0, position / stride > Int64(keep), stride <= Int64.max / 2 { stride *= 2 }
        return stride
    }

    /// The first snapshot position after `position` on `interval` (> 0): where a fold that
    /// takes snapshots stops next.
    public static func boundary(after position: Int64, interval: Int64) -> Int64 {
        (position / interval + 1) * interval
    }

    /// Whether a fold standing at `position` takes a snapshot there, on `interval` (> 0).
    public static func isBoundary(_ position: Int64, interval: Int64) -> Bool {
        position > 0 && position % interval == 0
    }

    /// Whether a snapshot at `position` stays once the log reaches `reach`: with a limit,
    /// only those on the interval then in force; without one, all.
    public func keeps(_ position: Int64, reaching reach: Int64) -> Bool {
        guard keep > 0 else { return true }
        let stride = interval(reaching: reach)
        return stride > 0 && position % stride == 0
    }
}

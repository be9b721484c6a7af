/// Progress of a rebuild or replay fold, for terminal displays.
public struct FoldProgress: Sendable {
    /// Log position scanned so far.
    public var position: Int64
    /// Where this fold stops (the head, or the replay point).
    public var target: Int64
    /// Log positions folded since the fold started (resumed folds count from where they resumed).
    public var eventsFolded: Int64
    public var elapsedSeconds: Double

    public var eventsPerSecond: Double { elapsedSeconds > 0 ? Double(eventsFolded) / elapsedSeconds : 0 }
    /// Estimated seconds left, nil before the rate is known.
    public var etaSeconds: Double? {
        let rate = eventsPerSecond
        return rate > 0 ? Double(max(0, target - position)) / rate : nil
    }
}

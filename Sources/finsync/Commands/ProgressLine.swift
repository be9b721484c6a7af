import Foundation
import Replay
import Synchronization

/// A one-line fold progress display on stderr (events folded, events/s, ETA), redrawn at
/// most a few times a second; silent when stderr is not a terminal unless `force`.
final class ProgressLine: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)
    private let enabled: Bool
    private let label: String

    init(_ label: String, force: Bool = false) {
        self.label = label
        enabled = force || isatty(STDERR_FILENO) == 1
    }

    func update(_ p: FoldProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let draw = last.withLock { l -> Bool in
            if let l, now - l < .milliseconds(250), p.position < p.target { return false }
            l = now
            return true
        }
        guard draw else { return }
        let eta = p.etaSeconds.map { String(format: "%.0fs", $0) } ?? "?"
        let pct = p.target > 0 ? Double(p.position) / Double(p.target) * 100 : 100
        FileHandle.standardError.write(Data(String(format: "\r\u{1B}[K%@: position %lld/%lld (%.1f%%), %lld events folded, %.0f events/s, ETA %@",
                                                   label, p.position, p.target, pct, p.eventsFolded, p.eventsPerSecond, eta).utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

import Foundation
import Ingest

/// Turns run progress into per-step lines (terminal), log lines (pipes) or nothing (`--json`).
struct SyncReporter: Sendable {
    enum Mode { case terminal, plain, json }
    let mode: Mode

    func report(_ p: SyncProgress) {
        switch (mode, p) {
        case (.json, _): return
        case (.terminal, .runStarted(let r)):
            print("sync \(r.runID.uuidString.lowercased())\(r.dryRun ? " (dry run: nothing is written)" : "")")
        case (.terminal, .stepStarted(let s)):
            print("  … \(s.label)", terminator: "\r")
            fflush(nil)
        case (.terminal, .stepFinished(let s)):
            let mark = [StepStatus.succeeded: "✓", .skipped: "–", .partiallyFailed: "!", .failed: "✗"][s.status] ?? "?"
            var line = "\r\u{1B}[2K  \(mark) \(s.label): \(s.eventsAppended) new, \(s.duplicatesSkipped) already stored"
            if !s.quota.isEmpty { line += " [quota \(IngestFormat.quota(s.quota))]" }
            print(line)
            for n in s.notes { print("      \(n)") }
            if let e = s.error { print("      error: \(e)") }
        case (.terminal, .warning(let w)): print("  warning: \(w)")
        case (.terminal, .runFinished(let r)):
            print("\(r.status.rawValue): \(r.eventsAppended) events \(r.dryRun ? "would be " : "")appended, \(r.duplicatesSkipped) duplicates skipped, \(r.steps.count) steps" + (r.message.map { " — \($0)" } ?? ""))
        case (.plain, .runStarted(let r)):
            log("info", "run started", ["run_id": r.runID.uuidString.lowercased(), "trigger": r.trigger.rawValue, "dry_run": "\(r.dryRun)"])
        case (.plain, .stepStarted): return
        case (.plain, .stepFinished(let s)):
            var f = ["step": s.label, "status": s.status.rawValue, "appended": "\(s.eventsAppended)", "duplicates": "\(s.duplicatesSkipped)"]
            if !s.quota.isEmpty { f["quota"] = IngestFormat.quota(s.quota) }
            if !s.notes.isEmpty { f["notes"] = s.notes.joined(separator: " | ") }
            if let e = s.error { f["error"] = e }
            log(s.status == .failed ? "error" : "info", "step finished", f)
        case (.plain, .warning(let w)): log("warning", w, [:])
        case (.plain, .runFinished(let r)):
            log(r.hasFailures ? "error" : "info", "run finished", ["run_id": r.runID.uuidString.lowercased(), "status": r.status.rawValue,
                                                                   "appended": "\(r.eventsAppended)", "duplicates": "\(r.duplicatesSkipped)", "message": r.message ?? ""])
        }
    }

    private func log(_ level: String, _ message: String, _ fields: [String: String]) {
        let kv = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value.replacingOccurrences(of: "\"", with: "'"))\"" }.joined(separator: " ")
        print("\(IngestFormat.iso(Date())) level=\(level) msg=\"\(message)\" \(kv)")
        fflush(nil)
    }
}

import ArgumentParser
import Foundation
import Ingest
import Logging
import ProviderFakes

/// `finsync sync`: extract → append (→ project) for every active connection.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync every active connection now (one run at a time).",
        discussion: "Exits non-zero when any step failed. A run that finds another in progress records itself as skipped and exits 0."
    )

    @OptionGroup var options: IngestOptions
    @Option(help: "Only this provider (e.g. gocardless).") var provider: String?
    @Option(help: "Only this connection id (e.g. a requisition id).") var connection: String?
    @Flag(help: "Print the run record as JSON (for scripts).") var json = false
    @Flag(help: "Extract and report what would be appended, without writing.") var dryRun = false
    @Flag(help: "Record the run as scheduled (systemd timer).") var scheduled = false
    @Flag(help: "Sync the built-in sandbox bank (a fake GoCardless on 127.0.0.1) instead of the configured providers.") var sandbox = false

    func run() async throws {
        let config = try options.load()
        let conn = try await options.connect(config)
        defer { conn.close() }
        let logger = Logger(label: "finsync.sync")
        let box = sandbox ? try await GoCardlessSandbox.start() : nil
        let providers = try options.providers(config, sandbox: box, logger: logger)
        if providers.isEmpty && !json { print("sync: no providers configured (add a [gocardless] table to finsync.toml, or try --sandbox)") }
        let runner = SyncRunner(connection: conn, providers: providers, afterAppend: AfterAppendHook.make(connection: conn), logger: logger)
        let reporter = SyncReporter(mode: json ? .json : (isatty(STDOUT_FILENO) == 1 ? .terminal : .plain))
        let record: RunRecord
        do {
            record = try await runner.run(.init(trigger: scheduled ? .scheduled : .manual, dryRun: dryRun, provider: provider, connection: connection)) { reporter.report($0) }
        } catch {
            await box?.stop()
            throw error
        }
        await box?.stop()
        if json { print(try IngestFormat.json(record)) }
        if record.hasFailures { throw ExitCode(1) }
    }
}

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

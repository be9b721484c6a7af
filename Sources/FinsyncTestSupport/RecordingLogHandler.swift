import Logging
import Synchronization

/// Log lines a test captured (`level message metadata`), to show what was logged and
/// that no secret was.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])
    public init() {}
    public func add(_ s: String) { lines.withLock { $0.append(s) } }
    public var all: [String] { lines.withLock { $0 } }
}

/// A log handler writing into a ``LogRecorder``:
/// `Logger(label: "test") { _ in RecordingLogHandler(recorder: logs) }`.
public struct RecordingLogHandler: LogHandler {
    public let recorder: LogRecorder
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(recorder: LogRecorder) { self.recorder = recorder }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        recorder.add("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
    }
}
